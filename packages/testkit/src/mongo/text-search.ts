import type { Document } from 'bson';
import { stem } from 'porter2';
import { CommandError } from './command-error';
import type { IndexSpec } from './index-spec';
import { ENGLISH_STOP_WORDS } from './stop-words';
import { isPlainObject, valuesAtPath } from './values';

/** The `$text` operand of a filter. */
export interface TextQuery {
  $search: string;
  $language?: string;
  $caseSensitive?: boolean;
  $diacriticSensitive?: boolean;
}

interface TermOptions {
  language: string;
  caseSensitive: boolean;
  diacriticSensitive: boolean;
}

interface ParsedSearch {
  terms: Set<string>;
  negatedTerms: Set<string>;
  phrases: string[];
  negatedPhrases: string[];
}

interface DocumentTerms {
  scores: Map<string, number>;
  texts: string[];
}

/** Apostrophes stay inside tokens (English), everything else that is not a letter, digit or mark splits. */
const TOKEN = /[\p{L}\p{N}\p{M}']+/gu;
const DIACRITICS = /\p{M}+/gu;
const isEnglish = (language: string): boolean => language === 'english' || language === 'en';

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0].replace(/^'+|'+$/g, '');
    if (token) tokens.push(token);
  }
  return tokens;
}

/** Stop-word check on the lowercased token, then Snowball stemming, then diacritics stripped (text index v3). */
export function toTerm(token: string, options: TermOptions): string | null {
  const lower = token.toLowerCase();
  const english = isEnglish(options.language);
  if (english && ENGLISH_STOP_WORDS.has(lower)) return null;
  let term = options.caseSensitive ? token : lower;
  if (english) term = options.caseSensitive ? stemKeepingCase(term) : stem(term);
  return options.diacriticSensitive ? term : term.normalize('NFD').replace(DIACRITICS, '');
}

function stemKeepingCase(token: string): string {
  const stemmed = stem(token.toLowerCase());
  return token.slice(0, stemmed.length);
}

export function parseSearch(search: string, options: TermOptions): ParsedSearch {
  const parsed: ParsedSearch = { terms: new Set(), negatedTerms: new Set(), phrases: [], negatedPhrases: [] };
  for (const match of search.matchAll(/(-?)"([^"]*)"?|(-?)([^\s"]+)/g)) {
    const [, phraseNeg, phrase, wordNeg, word] = match;
    if (phrase !== undefined) {
      if (!phrase.trim()) continue;
      if (phraseNeg) {
        parsed.negatedPhrases.push(phrase);
        continue;
      }
      parsed.phrases.push(phrase);
    }
    const negated = word !== undefined && wordNeg === '-';
    for (const token of tokenize(phrase ?? word ?? '')) {
      const term = toTerm(token, options);
      if (term) (negated ? parsed.negatedTerms : parsed.terms).add(term);
    }
  }
  return parsed;
}

/**
 * A text index: per-document term scores computed like mongod's FTSSpec v2 scoring (repeated terms count
 * 1, 1/2, 1/4…, scaled by how much of the field they make up, times the field weight), cached per stored
 * document object; stored documents are replaced on update, so the cache can never be stale.
 */
export class TextIndex {
  private readonly cache = new WeakMap<Document, DocumentTerms>();
  private readonly weights: Array<[string, number]>;
  private readonly wildcard: boolean;
  private readonly defaultLanguage: string;
  private readonly languageOverride: string;

  constructor(readonly spec: IndexSpec) {
    const weights = isPlainObject(spec.weights) ? spec.weights : {};
    this.wildcard = '$**' in weights;
    this.weights = Object.entries(weights)
      .filter(([field]) => field !== '$**')
      .map(([field, weight]) => [field, typeof weight === 'number' ? weight : 1]);
    this.defaultLanguage = typeof spec.default_language === 'string' ? spec.default_language : 'english';
    this.languageOverride = typeof spec.language_override === 'string' ? spec.language_override : 'language';
  }

  /** The matching documents (input order kept) with their text scores. */
  search(docs: Document[], query: unknown): Array<{ doc: Document; score: number }> {
    const text = validateTextQuery(query);
    const options: TermOptions = {
      language: text.$language ?? this.defaultLanguage,
      caseSensitive: text.$caseSensitive === true,
      diacriticSensitive: text.$diacriticSensitive === true,
    };
    const parsed = parseSearch(text.$search, options);
    const cacheable = !options.caseSensitive && !options.diacriticSensitive;
    const results: Array<{ doc: Document; score: number }> = [];
    for (const doc of docs) {
      const terms = cacheable ? this.cachedTerms(doc) : this.termsOf(doc, options);
      const score = matchScore(terms, parsed, options.caseSensitive);
      if (score !== null) results.push({ doc, score });
    }
    return results;
  }

  private cachedTerms(doc: Document): DocumentTerms {
    let terms = this.cache.get(doc);
    if (!terms) {
      terms = this.termsOf(doc, { language: '', caseSensitive: false, diacriticSensitive: false });
      this.cache.set(doc, terms);
    }
    return terms;
  }

  private termsOf(doc: Document, options: TermOptions): DocumentTerms {
    const override: unknown = doc[this.languageOverride];
    const language = typeof override === 'string' ? override : this.defaultLanguage;
    const termOptions = { ...options, language };
    const scores = new Map<string, number>();
    const texts: string[] = [];
    const fields: Array<[string, number]> = this.wildcard ? wildcardFields(doc, this.weights) : this.weights;
    for (const [field, weight] of fields) {
      for (const value of valuesAtPath(doc, field)) {
        if (typeof value !== 'string') continue;
        texts.push(value);
        scoreString(value, weight, termOptions, scores);
      }
    }
    return { scores, texts };
  }
}

function validateTextQuery(query: unknown): TextQuery {
  if (!isPlainObject(query) || typeof query.$search !== 'string') {
    throw new CommandError('BadValue', '$search needs a String');
  }
  if (query.$language !== undefined && typeof query.$language !== 'string') {
    throw new CommandError('BadValue', '$language needs a String');
  }
  return query as TextQuery;
}

function scoreString(raw: string, weight: number, options: TermOptions, scores: Map<string, number>): void {
  const counts = new Map<string, { count: number; freq: number; exp: number }>();
  let total = 0;
  for (const token of tokenize(raw)) {
    const term = toTerm(token, options);
    if (!term) continue;
    const data = counts.get(term) ?? { count: 0, freq: 0, exp: 0 };
    data.exp = data.exp ? data.exp * 2 : 1;
    data.count += 1;
    data.freq += 1 / data.exp;
    counts.set(term, data);
    total += 1;
  }
  for (const [term, data] of counts) {
    const coeff = (0.5 * data.count) / total + 0.5;
    const adjustment = raw.length === term.length && raw.toLowerCase() === term.toLowerCase() ? 1.1 : 1;
    scores.set(term, (scores.get(term) ?? 0) + weight * data.freq * coeff * adjustment);
  }
}

function matchScore(terms: DocumentTerms, parsed: ParsedSearch, caseSensitive: boolean): number | null {
  let score = 0;
  let matched = false;
  for (const term of parsed.terms) {
    const termScore = terms.scores.get(term);
    if (termScore !== undefined) {
      score += termScore;
      matched = true;
    }
  }
  if (!matched) return null;
  for (const term of parsed.negatedTerms) if (terms.scores.has(term)) return null;
  const contains = (phrase: string): boolean =>
    terms.texts.some((text) =>
      caseSensitive ? text.includes(phrase) : text.toLowerCase().includes(phrase.toLowerCase()),
    );
  if (!parsed.phrases.every(contains)) return null;
  if (parsed.negatedPhrases.some(contains)) return null;
  return score;
}

/** `$**` indexes every string field; explicitly weighted fields keep their weight. */
function wildcardFields(doc: Document, weights: Array<[string, number]>): Array<[string, number]> {
  const explicit = new Map(weights);
  const fields: Array<[string, number]> = [];
  const walk = (value: unknown, prefix: string): void => {
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof child === 'string' || Array.isArray(child)) fields.push([path, explicit.get(path) ?? 1]);
      else walk(child, path);
    }
  };
  walk(doc, '');
  return fields;
}
