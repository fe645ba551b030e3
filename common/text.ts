/**
 * Text rules both the server and the console apply, so a search typed without diacritics
 * ("bien hoa") matches what is stored with them ("Biên Hòa").
 */

/**
 * Lower case, Vietnamese diacritics removed (`đ` → `d`), runs of whitespace collapsed to one
 * space and trimmed. Tone placement does not matter: "Hoà" and "Hòa" fold alike.
 */
export function foldVietnamese(s: string): string {
  return (
    s
      .normalize('NFD')
      // Combining marks: Vietnamese tones and the circumflex, breve and horn.
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd')
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim()
  );
}
