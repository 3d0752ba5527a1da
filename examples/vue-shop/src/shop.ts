// Composables the pages share.
import { onUnmounted, shallowRef, watchEffect } from 'vue';
import { cartLines } from '../../storefront/js/shop.js';
import { onCartChange } from '../../spa-common/shop-kit';

/** Set the document title (before the page view is sent: the plugin sends it once the route rendered). */
export function useTitle(title: () => string): void {
  watchEffect(() => (document.title = `${title()} · Northbound Goods`));
}

/** The cart lines, re-read when the cart changes (in this tab or another). */
export function useCart() {
  const lines = shallowRef(cartLines());
  onUnmounted(onCartChange(() => (lines.value = cartLines())));
  return lines;
}

/** "Added to your cart", shown for a few seconds. */
export function useToast() {
  const message = shallowRef<{ text: string; n: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  onUnmounted(() => clearTimeout(timer));
  return {
    message,
    show(text: string) {
      message.value = { text, n: (message.value?.n ?? 0) + 1 };
      clearTimeout(timer);
      timer = setTimeout(() => (message.value = undefined), 4000);
    },
  };
}
