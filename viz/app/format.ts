/** Virtual time for people: ms with a decimal only when it matters; seconds once the view is long. */
export function formatTime(t: number, span: number): string {
  if (span > 20_000) return `${(t / 1000).toFixed(span > 200_000 ? 0 : 1)} s`;
  if (span > 4_000) return `${(t / 1000).toFixed(2)} s`;
  const rounded = Math.round(t * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toLocaleString('en-US') : rounded.toLocaleString('en-US', { minimumFractionDigits: 1 })} ms`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
