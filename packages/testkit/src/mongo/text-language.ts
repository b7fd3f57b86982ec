import { CommandError, notImplemented } from './command-error';

/** The languages this server tokenises: English (stemming, stop words) and `none` (neither). */
export type TextLanguage = 'english' | 'none';

/** mongod 7's text index version 3 languages and their two-letter aliases (fts_language.cpp). */
const MONGOD_LANGUAGES: Readonly<Record<string, string>> = {
  none: 'none',
  danish: 'danish',
  da: 'danish',
  dutch: 'dutch',
  nl: 'dutch',
  english: 'english',
  en: 'english',
  finnish: 'finnish',
  fi: 'finnish',
  french: 'french',
  fr: 'french',
  german: 'german',
  de: 'german',
  hungarian: 'hungarian',
  hu: 'hungarian',
  italian: 'italian',
  it: 'italian',
  norwegian: 'norwegian',
  nb: 'norwegian',
  portuguese: 'portuguese',
  pt: 'portuguese',
  romanian: 'romanian',
  ro: 'romanian',
  russian: 'russian',
  ru: 'russian',
  spanish: 'spanish',
  es: 'spanish',
  swedish: 'swedish',
  sv: 'swedish',
  turkish: 'turkish',
  tr: 'turkish',
};

/**
 * Resolves a language name as mongod does (case-insensitive, aliases allowed). A name mongod rejects gets
 * `unsupported`'s error; a language mongod supports but this server cannot stem is refused loudly rather than
 * indexed as if it were `none`, which would silently match different documents than production.
 */
export function resolveLanguage(name: string, unsupported: () => CommandError): TextLanguage {
  const canonical = MONGOD_LANGUAGES[name.toLowerCase()];
  if (canonical === undefined) throw unsupported();
  if (canonical === 'english' || canonical === 'none') return canonical;
  throw notImplemented(`text search in ${canonical}`, 'it stems english and none only');
}

/** For `$language` in a query: mongod's FTSLanguage::make message. */
export const unsupportedQueryLanguage = (name: string) => (): CommandError =>
  new CommandError('BadValue', `unsupported language: "${name}" for text index version 3`);
