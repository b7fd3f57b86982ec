import { stem } from 'porter2';
import { ENGLISH_STOP_WORDS } from './stop-words';
import { isDelimiter } from './text-delimiters';
import type { TextLanguage } from './text-language';

export interface TermOptions {
  language: TextLanguage;
  caseSensitive: boolean;
  diacriticSensitive: boolean;
}

const DIACRITICS = /\p{M}+/gu;

/** Splits `text` into words on MongoDB's delimiter code points (fts_unicode_tokenizer.cpp): no other rule. */
export function tokenize(text: string, language: TextLanguage): string[] {
  const english = language === 'english';
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i += 1) {
    const codePoint = text.codePointAt(i) as number;
    const width = codePoint > 0xffff ? 2 : 1;
    if (isDelimiter(codePoint, english)) {
      if (start >= 0) tokens.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
    i += width - 1;
  }
  if (start >= 0) tokens.push(text.slice(start));
  return tokens;
}

/**
 * A token as the index stores it, mongod's order: stop-word check on the lowercased token, then Snowball
 * stemming, then diacritics stripped. Null for a stop word.
 */
export function toTerm(token: string, options: TermOptions): string | null {
  const lower = token.toLowerCase();
  const english = options.language === 'english';
  if (english && ENGLISH_STOP_WORDS.has(lower)) return null;
  let term = options.caseSensitive ? token : lower;
  if (english) term = options.caseSensitive ? stemKeepingCase(term) : stem(term);
  return options.diacriticSensitive ? term : stripDiacritics(term);
}

/** How a phrase and the text it is looked for in are compared (mongod's unicode phrase matcher). */
export function foldForPhrase(text: string, options: Omit<TermOptions, 'language'>): string {
  const cased = options.caseSensitive ? text : text.toLowerCase();
  return options.diacriticSensitive ? cased : stripDiacritics(cased);
}

function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(DIACRITICS, '');
}

/** mongod stems the original-case word for a case-sensitive query; porter2 needs lowercase, so map back. */
function stemKeepingCase(token: string): string {
  const lower = token.toLowerCase();
  const stemmed = stem(lower);
  return lower.startsWith(stemmed) ? token.slice(0, stemmed.length) : stemmed;
}
