import { describe, expect, it } from 'vitest';
import { idHex, parseImageRef } from './image-ref';

describe('parseImageRef', () => {
  it.each([
    'alpine',
    'alpine:3.20',
    'library/alpine:latest',
    'docker.io/library/alpine:3',
    'localhost/strata-fixture/tiny:1',
    'localhost:5000/team/app:v1.2-rc_1',
    'Registry.Example.com/org-name/app@sha256:' + 'a'.repeat(64),
    'registry.example.com:443/a/b/c:tag@sha256:' + 'b'.repeat(64),
    'strata-fixture/basic:1',
    'my_app__x-y.z',
  ])('accepts the reference %s', (ref) => {
    expect(parseImageRef(ref)).toMatchObject({ kind: 'reference', text: ref });
  });

  it('splits name, tag and digest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(parseImageRef(`localhost:5000/app:1@${digest}`)).toEqual({
      kind: 'reference',
      text: `localhost:5000/app:1@${digest}`,
      name: 'localhost:5000/app',
      tag: '1',
      digest,
    });
  });

  it('accepts image IDs, full and short', () => {
    expect(parseImageRef(`sha256:${'d'.repeat(64)}`).kind).toBe('id');
    expect(parseImageRef('76f7ad121b0f').kind).toBe('id');
  });

  it.each([
    ['alp?ine', '"?" cannot appear'],
    ['alpine#3', '"#" cannot appear'],
    ['alpine 3', 'a space cannot appear'],
    ['../containers/json', 'reference grammar'],
    ['a/../b', 'reference grammar'],
    ['/alpine', 'reference grammar'],
    ['alpine:', 'reference grammar'],
    ['Alpine', 'lower case'],
    ['alpine%2F..', '"%" cannot appear'],
    ['', 'empty'],
    ['a\nb', 'cannot appear'],
    [`${'a'.repeat(300)}:1`, 'longer than 255'],
  ])('refuses %j (%s)', (ref, why) => {
    expect(() => parseImageRef(ref)).toThrow(why);
  });

  it('says what is expected, with a bad-request code', () => {
    expect(() => parseImageRef('x?y')).toThrow(
      expect.objectContaining({
        code: 'bad-request',
        message: expect.stringMatching(/NAME\[:TAG\]/),
      }),
    );
  });

  it('idHex strips the algorithm', () => {
    expect(idHex('sha256:abc')).toBe('abc');
    expect(idHex('abc')).toBe('abc');
  });
});
