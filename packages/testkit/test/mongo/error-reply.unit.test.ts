import { MingoError } from 'mingo/util';
import { CommandError } from '../../src/mongo/command-error';
import { errorReply } from '../../src/mongo/error-reply';

describe('errorReply()', () => {
  test('when a handler hits a bug of the server, then the reply is InternalError (code 1), not BadValue', () => {
    const reply = errorReply(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(reply).toEqual({
      ok: 0,
      code: 1,
      codeName: 'InternalError',
      errmsg: expect.stringContaining("TypeError: Cannot read properties of undefined (reading 'x')"),
    });
  });

  test('when mingo rejects an operator, then the reply is BadValue with its message', () => {
    const reply = errorReply(new MingoError('unknown query operator $notAnOperator'));
    expect(reply).toEqual({
      ok: 0,
      code: 2,
      codeName: 'BadValue',
      errmsg: 'unknown query operator $notAnOperator',
    });
  });

  test("when a $regex does not compile, then the reply is mongod's 51091", () => {
    const unterminatedGroup = '(';
    let syntaxError: unknown;
    try {
      new RegExp(unterminatedGroup);
    } catch (err) {
      syntaxError = err;
    }
    expect(errorReply(syntaxError)).toMatchObject({
      code: 51091,
      errmsg: expect.stringMatching(/^Regular expression is invalid/),
    });
  });

  test('when a CommandError is thrown, then its own code and details are kept', () => {
    const err = new CommandError('DuplicateKey', 'E11000 duplicate key', { keyValue: { a: 1 } });
    expect(errorReply(err)).toEqual({
      ok: 0,
      code: 11000,
      codeName: 'DuplicateKey',
      errmsg: 'E11000 duplicate key',
      keyValue: { a: 1 },
    });
  });
});
