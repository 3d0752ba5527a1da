/**
 * A page's own content for the web-vitals tests, made whether the script runs in the head
 * (script tag) or after parsing (module): some text (the largest paint) and a button whose click
 * handler is slow, the interaction INP measures.
 */
export const VITALS_CONTENT = `
  const setUp = () => {
    const text = document.createElement('p');
    text.textContent = 'A tee, a mug and a tote bag, each in three colours.';
    const buy = document.createElement('button');
    buy.id = 'buy';
    buy.textContent = 'Add to cart';
    buy.onclick = () => { const end = performance.now() + 150; while (performance.now() < end); };
    document.body.append(text, buy);
  };
  if (document.readyState === 'loading') addEventListener('DOMContentLoaded', setUp);
  else setUp();`;
