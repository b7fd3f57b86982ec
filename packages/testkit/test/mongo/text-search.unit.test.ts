import { ENGLISH_STOP_WORDS } from '../../src/mongo/stop-words';
import { parseSearch, tokenize, toTerm } from '../../src/mongo/text-search';

const english = { language: 'english', caseSensitive: false, diacriticSensitive: false };

describe('text search terms', () => {
  test('when the stop-word list is loaded, then it has the 174 Snowball English words incl. contractions', () => {
    expect(ENGLISH_STOP_WORDS.size).toBe(174);
    expect([...ENGLISH_STOP_WORDS]).toEqual(
      expect.arrayContaining(['a', "don't", "let's", 'very', 'ourselves']),
    );
  });

  test('when text is tokenised, then apostrophes stay inside English words and punctuation splits', () => {
    expect(tokenize("Don't stop-believing, it's 2024!")).toEqual([
      "Don't",
      'stop',
      'believing',
      "it's",
      '2024',
    ]);
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

  test('when a search has terms, phrases and negations, then each lands in its bucket', () => {
    const parsed = parseSearch('running -walking "the quick fox" -"slow dog"', english);
    expect([...parsed.terms].sort()).toEqual(['fox', 'quick', 'run']);
    expect([...parsed.negatedTerms]).toEqual(['walk']);
    expect(parsed.phrases).toEqual(['the quick fox']);
    expect(parsed.negatedPhrases).toEqual(['slow dog']);
  });
});
