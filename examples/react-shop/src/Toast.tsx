import { useEffect, useState } from 'react';
import { Link } from 'react-router';

/** "Added to your cart" with a link to the cart; each new `message` shows for a few seconds. */
export function useToast() {
  const [message, setMessage] = useState<{ text: string; n: number }>();
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(undefined), 4000);
    return () => clearTimeout(timer);
  }, [message]);
  const view = (
    <div className="toasts" role="status" aria-live="polite">
      {message && (
        <div className="toast" key={message.n}>
          <span>{message.text}</span>
          <Link to="/cart">View cart</Link>
        </div>
      )}
    </div>
  );
  return { show: (text: string) => setMessage((m) => ({ text, n: (m?.n ?? 0) + 1 })), view };
}
