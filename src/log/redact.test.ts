import { describe, expect, it } from 'vitest';
import { redact, redactUrl, redactValue, registerSecret } from './redact.ts';

describe('redaction (issue 15, finding 6)', () => {
  it('replaces known secret values only, leaving the message readable', () => {
    registerSecret('dash-Known-Secret-123456');
    expect(redact('server.token: environment variable X is not set')).toBe(
      'server.token: environment variable X is not set',
    );
    expect(redact('Send the header Authorization: Bearer TOKEN')).toBe(
      'Send the header Authorization: Bearer TOKEN',
    );
    expect(redact('got dash-Known-Secret-123456 back')).toBe('got [REDACTED] back');
    registerSecret('pass/with+signs 42');
    expect(redact(`a form body: token=${encodeURIComponent('pass/with+signs 42')}`)).toBe(
      'a form body: token=[REDACTED]',
    );
  });

  it('masks userinfo and query values of URLs, keeping paging and field lists', () => {
    expect(redactUrl('https://bob:hunter2@crm.example.com/v1/contacts?key=abc&fields=id,name&$top=50')).toBe(
      'https://[REDACTED]@crm.example.com/v1/contacts?key=[REDACTED]&fields=id%2Cname&%24top=50',
    );
    expect(redact('customcrm: GET https://u:p@crm.example.com/v1?api_key=zzz failed')).toBe(
      'customcrm: GET https://[REDACTED]@crm.example.com/v1?api_key=[REDACTED] failed',
    );
    expect(redactValue({ url: 'http://a:b@h/x?token=t', authorization: 'x', n: 3 })).toEqual({
      url: 'http://[REDACTED]@h/x?token=[REDACTED]',
      authorization: '[REDACTED]',
      n: 3,
    });
  });
});
