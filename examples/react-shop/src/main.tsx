import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { WaybillProvider } from '@waybill/react';
import '../../storefront/css/shop.css';
import '../../spa-common/banner.css';
import { App } from './App';
import { options } from './waybill';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WaybillProvider options={options}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </WaybillProvider>
  </StrictMode>,
);
