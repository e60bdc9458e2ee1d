import { describe, expect, it } from 'vitest';
import { intOption, portOption, UsageError } from './args.ts';

describe('intOption', () => {
  it('gives undefined for an option that was not given, the number for digits in range', () => {
    expect(intOption('limit', undefined)).toBeUndefined();
    expect(intOption('limit', '0')).toBe(0);
    expect(intOption('limit', '250', { min: 1, max: 1000 })).toBe(250);
  });

  it.each(['', ' 5', '5 ', '-1', '1e3', '2.5', '0x10', 'abc', '12abc'])('refuses %j', (raw) => {
    expect(() => intOption('limit', raw)).toThrow(UsageError);
  });

  it('names the option, the range, the other way to set it and the value', () => {
    expect(() => intOption('job-check-seconds', '0', { min: 1, max: 86399, also: 'TANDEM_X' })).toThrow(
      '--job-check-seconds (or TANDEM_X) needs a whole number from 1 to 86399, got "0"',
    );
    expect(() => intOption('drop', '-3', { min: 1, what: 'the number of a write' })).toThrow(
      '--drop needs the number of a write of at least 1, got "-3"',
    );
  });

  it('bounds ports to 0..65535', () => {
    expect(portOption('port', '65535')).toBe(65535);
    expect(() => portOption('port', '65536')).toThrow(
      '--port needs a port number from 0 to 65535, got "65536"',
    );
  });
});
