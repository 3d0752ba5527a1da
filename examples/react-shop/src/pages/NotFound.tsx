import { Link } from 'react-router';
import { useTitle } from '../hooks';

export function NotFound({ title = 'Page not found' }: { title?: string }) {
  useTitle(title);
  return (
    <div className="empty">
      <h1>{title}</h1>
      <p><Link className="btn btn--primary" to="/">Back to the shop</Link></p>
    </div>
  );
}
