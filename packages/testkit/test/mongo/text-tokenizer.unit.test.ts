import { ENGLISH_STOP_WORDS } from '../../src/mongo/stop-words';
import { isDelimiter } from '../../src/mongo/text-delimiters';
import { parseSearch } from '../../src/mongo/text-query';
import { tokenize, toTerm } from '../../src/mongo/text-tokenizer';

const english = { language: 'english', caseSensitive: false, diacriticSensitive: false } as const;
const search = (text: string) => ({ search: text, caseSensitive: false, diacriticSensitive: false });
const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

describe('text tokenizer', () => {
  test('when the stop-word list is loaded, then it has the 174 Snowball English words incl. contractions', () => {
    expect(ENGLISH_STOP_WORDS.size).toBe(174);
    expect([...ENGLISH_STOP_WORDS]).toEqual(
      expect.arrayContaining(['a', "don't", "let's", 'very', 'ourselves']),
    );
  });

  test('when English text is tokenised, then apostrophes stay inside words and punctuation splits', () => {
    expect(tokenize("Don't stop-believing, it's 2024!", 'english')).toEqual([
      "Don't",
      'stop',
      'believing',
      "it's",
      '2024',
    ]);
  });

  test('when words are joined by _, then they stay one token, as _ is no MongoDB delimiter', () => {
    expect(tokenize('snake_case #node_js __init__', 'english')).toEqual([
      'snake_case',
      'node_js',
      '__init__',
    ]);
  });

  test('when the language is none, then the apostrophe splits like any quotation mark', () => {
    expect(tokenize("don't", 'none')).toEqual(['don', 't']);
  });

  test('when a typographic apostrophe (U+2019) appears, then it splits even in English', () => {
    expect(tokenize('don\u2019t', 'english')).toEqual(['don', 't']);
  });

  test.each([
    ['U+3000', 0x3000, 'White_Space'],
    ['U+2212', 0x2212, 'Dash'],
    ['U+00AD', 0x00ad, 'Hyphen'],
    ['U+30FB', 0x30fb, 'Hyphen'],
    ['U+00AB', 0x00ab, 'Quotation_Mark'],
    ['U+0589', 0x0589, 'Terminal_Punctuation'],
    ['U+1DA88', 0x1da88, 'STerm'],
    ['U+00A9', 0x00a9, 'Pattern_Syntax'],
  ])('when %s (%s in Unicode 8.0) is met, then it is a delimiter', (_label, codePoint) => {
    expect(isDelimiter(codePoint, true)).toBe(true);
  });

  test.each([
    ['U+005F', 0x5f, 'low line _'],
    ['U+0041', 0x41, 'A'],
    ['U+0039', 0x39, '9'],
    ['U+00E9', 0xe9, 'é'],
    ['U+1F600', 0x1f600, 'an emoji'],
    ['U+16E98', 0x16e98, 'a Sentence_Terminal assigned after Unicode 8.0'],
  ])('when %s (%s) is met, then it is part of a word', (_label, codePoint) => {
    expect(isDelimiter(codePoint, true)).toBe(false);
  });

  test('when every stable White_Space and Pattern_Syntax code point is checked, then each one is a delimiter', () => {
    const missing: string[] = [];
    for (let codePoint = 0; codePoint <= 0xffff; codePoint += 1) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const char = String.fromCodePoint(codePoint);
      const stable = /[\p{White_Space}\p{Pattern_Syntax}]/u.test(char);
      if (stable && !isDelimiter(codePoint, false)) missing.push(hex(codePoint));
    }
    expect(missing).toEqual([]);
  });

  test.each([
    ['Running', 'run'],
    ['runs', 'run'],
    ['connection', 'connect'],
    ['generously', 'generous'],
    ['Café', 'cafe'],
    ['The', null],
    ["don't", null],
  ])('when %s becomes a term, then it is %s', (token, term) => {
    expect(toTerm(token, english)).toBe(term);
  });

  test('when the language is none, then words are neither stemmed nor dropped as stop words', () => {
    expect(toTerm('Running', { ...english, language: 'none' })).toBe('running');
    expect(toTerm('the', { ...english, language: 'none' })).toBe('the');
  });
});

describe('$search parsing', () => {
  test('when a search has terms, phrases and negations, then each lands in its bucket', () => {
    const parsed = parseSearch(search('running -walking "the quick fox" -"slow dog"'), 'english');
    expect([...parsed.terms].sort()).toEqual(['fox', 'quick', 'run']);
    expect([...parsed.negatedTerms]).toEqual(['walk']);
    expect(parsed.phrases).toEqual(['the quick fox']);
    expect(parsed.negatedPhrases).toEqual(['slow dog']);
  });

  test.each([
    ['-foo-bar', [], ['bar', 'foo']],
    ['foo-bar', ['bar', 'foo'], []],
    ['- foo', ['foo'], []],
    ['-foo bar', ['bar'], ['foo']],
  ])('when the search is "%s", then positive %j and negated %j', (text, positive, negated) => {
    const parsed = parseSearch(search(text), 'english');
    expect([...parsed.terms].sort()).toEqual(positive);
    expect([...parsed.negatedTerms].sort()).toEqual(negated);
  });

  test('when a quote is never closed, then its words count as terms but no phrase is required', () => {
    const parsed = parseSearch(search('"open ended'), 'english');
    expect(parsed.phrases).toEqual([]);
    expect([...parsed.terms].sort()).toEqual(['end', 'open']);
  });
});
