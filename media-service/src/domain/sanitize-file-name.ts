const MAX_LENGTH = 200;

/**
 * The client's file name, kept only as a label: no directories, control characters, characters that are
 * special in file systems or headers, or leading dots; bounded length. It never becomes a path.
 */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*;]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, MAX_LENGTH)
    .trim();
  return cleaned || 'file';
}
