import type { Document } from 'bson';
import { CommandError } from './command-error';
import type { IndexSpec } from './index-spec';
import { resolveLanguage, type TextLanguage } from './text-language';
import { parseSearch, queryLanguage, type ParsedSearch, type TextQuery } from './text-query';
import { foldForPhrase, tokenize, toTerm, type TermOptions } from './text-tokenizer';
import { isPlainObject } from './values';

/** One indexed string: its text, the language it is tokenised in and the weight of its field. */
interface TextValue {
  text: string;
  language: TextLanguage;
  weight: number;
}

interface DocumentTerms {
  /** Term → score, computed like mongod's FTSSpec::_scoreStringV2 summed over the document's fields. */
  scores: Map<string, number>;
  values: TextValue[];
}

const INSENSITIVE = { caseSensitive: false, diacriticSensitive: false } as const;

/**
 * A text index: per-document term scores like mongod's (repeated terms count 1, 1/2, 1/4…, scaled by how much
 * of the field they make up, times the field weight), cached per stored document object; stored documents are
 * replaced on update, so the cache can never be stale.
 */
export class TextIndex {
  private readonly cache = new WeakMap<Document, DocumentTerms>();
  /** Weighted fields in byte order, as mongod's std::map walks them. */
  private readonly weights: Array<[string, number]>;
  private readonly wildcard: boolean;
  readonly defaultLanguage: TextLanguage;
  private readonly languageOverride: string;
  /** Fields before the text part of a compound key: a $text query must give each one by equality. */
  private readonly prefixFields: string[];

  /** `spec` comes from normalizeIndexSpec, which has validated weights and languages. */
  constructor(readonly spec: IndexSpec) {
    const weights = isPlainObject(spec.weights) ? spec.weights : {};
    this.wildcard = '$**' in weights;
    this.weights = Object.entries(weights)
      .filter(([field]) => field !== '$**')
      .map(([field, weight]): [string, number] => [field, typeof weight === 'number' ? weight : 1])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.defaultLanguage = resolveLanguage(
      String(spec.default_language ?? 'english'),
      () => new CommandError('CannotCreateIndex', 'default_language is not valid'),
    );
    this.languageOverride = typeof spec.language_override === 'string' ? spec.language_override : 'language';
    const keys = Object.keys(spec.key);
    this.prefixFields = keys.slice(0, keys.indexOf('_fts'));
  }

  /**
   * mongod can only use a compound text index when the query pins every prefix field by equality (not `$in`,
   * not a range), and fails the query otherwise; `filter` is the query without its `$text`.
   */
  checkPrefix(filter: Document): void {
    const clauses = [filter, ...(Array.isArray(filter.$and) ? filter.$and.filter(isPlainObject) : [])];
    for (const field of this.prefixFields) {
      if (clauses.some((clause) => field in clause && isEquality(clause[field]))) continue;
      throw new CommandError(
        'NoQueryExecutionPlans',
        'failed to use text index to satisfy $text query (if text index is compound, are equality predicates given for all prefix fields?)',
      );
    }
  }

  /** Throws the error mongod gives when it cannot index `doc` (a bad language override); used on writes. */
  check(doc: Document): void {
    this.values(doc);
  }

  /** The matching documents (input order kept) with their text scores. */
  search(docs: Document[], query: TextQuery): Array<{ doc: Document; score: number }> {
    const language = queryLanguage(query, this.defaultLanguage);
    const parsed = parseSearch(query, language);
    const sensitive = query.caseSensitive || query.diacriticSensitive;
    const results: Array<{ doc: Document; score: number }> = [];
    for (const doc of docs) {
      const terms = this.cachedTerms(doc);
      const score = boundsScore(terms, parsed);
      if (score === null) continue;
      const { caseSensitive, diacriticSensitive } = query;
      const matchTerms = sensitive ? termsOf(terms.values, { caseSensitive, diacriticSensitive }) : terms;
      if (matches(matchTerms, parsed, query)) results.push({ doc, score });
    }
    return results;
  }

  private cachedTerms(doc: Document): DocumentTerms {
    let terms = this.cache.get(doc);
    if (!terms) {
      terms = termsOf(this.values(doc), INSENSITIVE);
      this.cache.set(doc, terms);
    }
    return terms;
  }

  /** mongod's FTSElementIterator: which strings of `doc` are indexed, in which language, with which weight. */
  private values(doc: Document): TextValue[] {
    const out: TextValue[] = [];
    const walk = (
      obj: Document,
      parentLanguage: TextLanguage,
      parentPath: string,
      isArray: boolean,
    ): void => {
      const language = this.frameLanguage(obj, parentLanguage);
      for (const [fieldName, value] of Object.entries(obj)) {
        if (this.wildcard && fieldName === this.languageOverride) continue;
        const dotted = parentPath === '' ? fieldName : isArray ? parentPath : `${parentPath}.${fieldName}`;
        const bound = this.lowerBound(isPlainObject(value) ? `${dotted}.` : dotted);
        if (!this.wildcard && (!bound || !matchPrefix(dotted, bound[0]))) continue;
        const exact = bound?.[0] === dotted;
        const weight = bound?.[1] ?? 1;
        if (typeof value === 'string') {
          if (exact || this.wildcard) out.push({ text: value, language, weight });
        } else if (Array.isArray(value)) {
          if (!isArray || this.wildcard) walk({ ...value }, language, dotted, true);
        } else if (isPlainObject(value) && (!exact || this.wildcard)) {
          walk(value, language, dotted, false);
        }
      }
    };
    walk(doc, this.defaultLanguage, '', false);
    return out;
  }

  /** A (sub)document's language override field, validated as mongod's _getLanguageToUseV2 does. */
  private frameLanguage(obj: Document, parent: TextLanguage): TextLanguage {
    const value: unknown = obj[this.languageOverride];
    if (value === undefined) return parent;
    if (typeof value !== 'string') {
      throw new CommandError(
        'Location17261',
        'found language override field in document with non-string type',
      );
    }
    return resolveLanguage(
      value,
      () => new CommandError('Location17262', `language override unsupported: ${value}`),
    );
  }

  private lowerBound(key: string): [string, number] | undefined {
    return this.weights.find(([field]) => field >= key);
  }
}

/** A plain value or `{$eq: value}`: what mongod's planner takes as an equality on an index prefix. */
function isEquality(value: unknown): boolean {
  if (value instanceof RegExp) return false;
  if (!isPlainObject(value)) return true;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$eq'
    ? !(value.$eq instanceof RegExp)
    : !keys.some((k) => k.startsWith('$'));
}

const matchPrefix = (dotted: string, weighted: string): boolean =>
  weighted === dotted || weighted.startsWith(`${dotted}.`);

function termsOf(values: TextValue[], options: Omit<TermOptions, 'language'>): DocumentTerms {
  const scores = new Map<string, number>();
  for (const value of values) scoreString(value, { ...options, language: value.language }, scores);
  return { scores, values };
}

function scoreString(value: TextValue, options: TermOptions, scores: Map<string, number>): void {
  const counts = new Map<string, { count: number; freq: number; exp: number }>();
  let total = 0;
  for (const token of tokenize(value.text, options.language)) {
    const term = toTerm(token, options);
    if (!term) continue;
    const data = counts.get(term) ?? { count: 0, freq: 0, exp: 0 };
    data.exp = data.exp ? data.exp * 2 : 1;
    data.count += 1;
    data.freq += 1 / data.exp;
    counts.set(term, data);
    total += 1;
  }
  const raw = value.text;
  for (const [term, data] of counts) {
    const coeff = (0.5 * data.count) / total + 0.5;
    // mongod's small boost when the whole field is the term.
    const adjustment = raw.length === term.length && raw.toLowerCase() === term.toLowerCase() ? 1.1 : 1;
    scores.set(term, (scores.get(term) ?? 0) + value.weight * data.freq * coeff * adjustment);
  }
}

/** The score the index scan gives: the sum over positive terms the document has; null when it has none. */
function boundsScore(terms: DocumentTerms, parsed: ParsedSearch): number | null {
  let score = 0;
  let matched = false;
  for (const term of parsed.boundsTerms) {
    const termScore = terms.scores.get(term);
    if (termScore === undefined) continue;
    score += termScore;
    matched = true;
  }
  return matched ? score : null;
}

/** mongod's FTSMatcher: a positive term, no negated term, every phrase and no negated phrase. */
function matches(terms: DocumentTerms, parsed: ParsedSearch, query: TextQuery): boolean {
  if (![...parsed.terms].some((term) => terms.scores.has(term))) return false;
  if ([...parsed.negatedTerms].some((term) => terms.scores.has(term))) return false;
  const folded = terms.values.map((value) => foldForPhrase(value.text, query));
  const contains = (phrase: string): boolean => {
    const needle = foldForPhrase(phrase, query);
    return folded.some((text) => text.includes(needle));
  };
  return parsed.phrases.every(contains) && !parsed.negatedPhrases.some(contains);
}
