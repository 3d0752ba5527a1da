import { money, type Line } from '../../storefront/js/shop.js';
import { imageOf } from '../../spa-common/shop-kit';

/** The short list of an order's lines (checkout summary, confirmation). */
export function MiniLines({ lines }: { lines: Line[] }) {
  return (
    <ul className="mini-lines">
      {lines.map(({ product, quantity }) => (
        <li key={product.id}>
          <span className="art art--mini" style={{ '--art': product.color } as React.CSSProperties}><img src={imageOf(product)} alt="" width={48} height={36} /></span>
          <span>{quantity} × {product.name}</span>
          <span>{money(product.price * quantity)}</span>
        </li>
      ))}
    </ul>
  );
}
