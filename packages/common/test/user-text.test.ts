import { userText } from '../src/http';

const check = (text: string, multiline = false) => userText({ max: 20, multiline }).validate(text);

describe('userText', () => {
  test.each([
    ['emoji made of a surrogate pair', '🙂 ok'],
    ['an emoji sequence with zero-width joiners', '👩‍👩‍👧'],
    ['right-to-left text with its marks', 'שלום \u200fעולם'],
    ['accented and CJK letters', 'café 東京'],
  ])('when the text has %s, then it passes unchanged', (_case, text) => {
    expect(check(text)).toEqual({ value: text });
  });

  test('when text of several lines has tabs and CRLF, then they stay; on one line they are refused', () => {
    expect(check('a\r\n\tb', true)).toEqual({ value: 'a\r\n\tb' });
    expect(check('a\nb').error?.message).toBe('"value" must not contain control characters or line breaks');
  });

  test.each([
    ['NUL', 'a\u0000b'],
    ['an escape (terminal sequences)', 'a\u001b[31m'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u0085b'],
    ['a vertical tab', 'a\u000bb'],
  ])('when the text holds %s, then it is refused even on several lines', (_case, text) => {
    expect(check(text, true).error?.message).toBe(
      '"value" must not contain control characters other than tab and line breaks',
    );
  });

  test.each([
    ['a high surrogate alone', 'a\ud83d'],
    ['a low surrogate alone', '\ude42b'],
    ['a pair in the wrong order', '\ude42\ud83d'],
  ])('when the text holds %s, then it is refused as not valid Unicode', (_case, text) => {
    expect(check(text).error?.message).toBe('"value" is not valid Unicode text (an unpaired surrogate)');
  });

  test('when the text is padded, then it is trimmed before its length is checked', () => {
    expect(check(`  ${'x'.repeat(20)}  `)).toEqual({ value: 'x'.repeat(20) });
    expect(check('   ').error?.message).toMatch(/not allowed to be empty/);
  });
});
