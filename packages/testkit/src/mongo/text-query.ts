import { CommandError } from './command-error';
import { resolveLanguage, unsupportedQueryLanguage, type TextLanguage } from './text-language';
import { tokenize, toTerm, type TermOptions } from './text-tokenizer';
import { isPlainObject } from './values';

/** A `$text` operand whose types are checked; the language is resolved once the text index is known. */
export interface TextQuery {
  search: string;
  /** `$language`; the index's default language when absent. */
  language?: string;
  caseSensitive: boolean;
  diacriticSensitive: boolean;
}

export interface ParsedSearch {
  /** Case- and diacritic-insensitive positive terms: what the index is scanned for and scores sum over. */
  boundsTerms: Set<string>;
  /** Positive terms as the matcher compares them (case/diacritic-sensitive when asked). */
  terms: Set<string>;
  negatedTerms: Set<string>;
  phrases: string[];
  negatedPhrases: string[];
}

const TEXT_FIELDS = new Set(['$search', '$language', '$caseSensitive', '$diacriticSensitive']);

/**
 * Checks `{$search, $language?, $caseSensitive?, $diacriticSensitive?}` as mongod's match-expression parser
 * does, which runs before it looks for the collection and its text index.
 */
export function validateTextQuery(operand: unknown): TextQuery {
  if (!isPlainObject(operand)) throw new CommandError('BadValue', '$text expects an object');
  if (Object.keys(operand).some((key) => !TEXT_FIELDS.has(key))) {
    throw new CommandError('BadValue', 'extra fields in $text');
  }
  const { $search, $language, $caseSensitive, $diacriticSensitive } = operand;
  if (typeof $search !== 'string') throw new CommandError('TypeMismatch', '$search requires a string value');
  if ($language !== undefined && typeof $language !== 'string') {
    throw new CommandError('TypeMismatch', '$language requires a string value');
  }
  for (const [name, value] of [
    ['$caseSensitive', $caseSensitive],
    ['$diacriticSensitive', $diacriticSensitive],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new CommandError('TypeMismatch', `${name} requires a boolean value`);
    }
  }
  return {
    search: $search,
    ...($language ? { language: $language } : {}),
    caseSensitive: $caseSensitive === true,
    diacriticSensitive: $diacriticSensitive === true,
  };
}

/** The query's language (mongod resolves it after finding the text index, hence a separate step). */
export function queryLanguage(query: TextQuery, indexDefault: TextLanguage): TextLanguage {
  const name = query.language;
  return name === undefined ? indexDefault : resolveLanguage(name, unsupportedQueryLanguage(name));
}

const WHITESPACE = new Set(['\n', '\v', '\f', '\r', ' ']);

/**
 * mongod's FTSQueryImpl::parse: `-` negates only right after whitespace (or at the start) and lasts until the
 * next whitespace, so `-foo-bar` negates both words and `foo-bar` neither; words inside a positive phrase also
 * count as positive terms, words inside a negated phrase count for nothing; an unclosed quote is no phrase.
 */
export function parseSearch(query: TextQuery, language: TextLanguage): ParsedSearch {
  let positive = '';
  let negative = '';
  const phrases: string[] = [];
  const negatedPhrases: string[] = [];
  let inNegation = false;
  let inPhrase = false;
  let quoteOffset = 0;
  for (const token of queryTokens(query.search)) {
    if (token.kind === 'text') {
      if (inPhrase && inNegation) continue;
      if (inNegation && token.afterWhitespace) inNegation = false;
      if (inNegation) negative += `${token.text} `;
      else positive += `${token.text} `;
    } else if (token.text === '-') {
      if (!inPhrase && token.afterWhitespace) inNegation = true;
    } else if (inPhrase) {
      const phrase = query.search.slice(quoteOffset + 1, token.offset);
      (inNegation ? negatedPhrases : phrases).push(phrase);
      inPhrase = false;
    } else {
      inPhrase = true;
      if (inNegation && token.afterWhitespace) inNegation = false;
      quoteOffset = token.offset;
    }
  }
  const { caseSensitive, diacriticSensitive } = query;
  const options: TermOptions = { language, caseSensitive, diacriticSensitive };
  const boundsTerms = terms(positive, { language, caseSensitive: false, diacriticSensitive: false });
  const sensitive = query.caseSensitive || query.diacriticSensitive;
  return {
    boundsTerms,
    terms: sensitive ? terms(positive, options) : boundsTerms,
    negatedTerms: terms(negative, options),
    phrases,
    negatedPhrases,
  };
}

function terms(sentence: string, options: TermOptions): Set<string> {
  const out = new Set<string>();
  for (const token of tokenize(sentence, options.language)) {
    const term = toTerm(token, options);
    if (term) out.add(term);
  }
  return out;
}

interface QueryToken {
  kind: 'text' | 'delimiter';
  text: string;
  offset: number;
  afterWhitespace: boolean;
}

/** FTSQueryParser: runs of text, single `-` and `"` delimiters, whitespace skipped but remembered. */
function* queryTokens(search: string): Generator<QueryToken> {
  let pos = 0;
  const skipWhitespace = (): boolean => {
    const start = pos;
    while (pos < search.length && WHITESPACE.has(search[pos] as string)) pos += 1;
    return pos > start;
  };
  skipWhitespace();
  let afterWhitespace = true;
  while (pos < search.length) {
    const start = pos;
    const char = search[pos] as string;
    pos += 1;
    const delimiter = char === '-' || char === '"';
    if (!delimiter) {
      while (pos < search.length && !isQueryBreak(search[pos] as string)) pos += 1;
    }
    const token: QueryToken = {
      kind: delimiter ? 'delimiter' : 'text',
      text: search.slice(start, pos),
      offset: start,
      afterWhitespace,
    };
    afterWhitespace = skipWhitespace();
    yield token;
  }
}

const isQueryBreak = (char: string): boolean => char === '-' || char === '"' || WHITESPACE.has(char);
