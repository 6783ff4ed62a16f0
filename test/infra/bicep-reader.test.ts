import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayElements, lookup, objectEntries, parseBicep, references, stringLiteral } from './bicep';
import { repoPath } from './repo';

const SAMPLE = `
// a comment with { a brace
targetScope = 'subscription'

@description('Where it runs: { not a brace }')
@allowed([
  'a'
  'b'
])
param location string = 'a'
param count int

var settings = {
  FIRST: 'x:y' /* a block comment } */
  'quoted-key': '\${location}-\${take('z', 1)}'
  nested: {
    inner: [
      1
      2
    ]
  }
}

resource thing 'Microsoft.Example/things@2024-01-01' existing = {
  name: 'thing'
}

resource maybe 'Microsoft.Example/things/children@2024-01-01' = if (!empty(location)) {
  parent: thing
  name: 'child'
}

resource many 'Microsoft.Example/things@2024-01-01' = [
  for item in range(0, count): {
    name: 'thing-\${item}'
  }
]

module mod './mod.bicep' = if (count > 0) {
  name: 'mod'
  params: {
    location: location
  }
}

output url string = 'https://\${mod.outputs.host}/api'
`;

describe('the Bicep reader the infra tests use', () => {
  const declarations = parseBicep(SAMPLE);

  it('reads every kind of top-level declaration, skipping decorators and comments', () => {
    expect(declarations.map((d) => `${d.kind}:${'name' in d ? d.name : d.value}`)).toEqual([
      "targetScope:'subscription'",
      'param:location',
      'param:count',
      'var:settings',
      'resource:thing',
      'resource:maybe',
      'resource:many',
      'module:mod',
      'output:url',
    ]);
  });

  it('reads resources with their type, version, existing flag, condition and loop', () => {
    const [thing, maybe, many] = declarations.filter((d) => d.kind === 'resource');
    expect(thing).toMatchObject({ type: 'Microsoft.Example/things', apiVersion: '2024-01-01', existing: true, condition: undefined });
    expect(maybe).toMatchObject({ existing: false, condition: '!empty(location)' });
    expect(many).toMatchObject({ loop: 'item in range(0, count)' });
    expect(lookup(many.kind === 'resource' ? many.body : '', 'name')).toBe("'thing-${item}'");
  });

  it('reads object entries and nested values, with quoted keys and strings holding braces and colons', () => {
    const settings = declarations.find((d) => d.kind === 'var');
    const entries = objectEntries(settings?.kind === 'var' ? settings.value : '{}');
    expect([...entries.keys()]).toEqual(['FIRST', 'quoted-key', 'nested']);
    expect(stringLiteral(entries.get('FIRST'))).toBe('x:y');
    expect(stringLiteral(entries.get('quoted-key'))).toBeUndefined(); // interpolated: not a plain string
    expect(arrayElements(lookup(settings?.kind === 'var' ? settings.value : '{}', 'nested.inner') ?? '[]')).toEqual(['1', '2']);
  });

  it('lists the identifiers an expression refers to, not the words in its strings', () => {
    const output = declarations.find((d) => d.kind === 'output');
    expect(references(output?.kind === 'output' ? output.value : '')).toEqual(['mod']);
    expect(references("union(appSettings, empty(x) ? {} : other)")).toEqual(['union', 'appSettings', 'empty', 'x', 'other']);
  });

  it('refuses what it does not understand instead of skipping it', () => {
    expect(() => parseBicep('import foo from bar')).toThrow(/Unrecognised Bicep statement/);
  });

  it('reads every Bicep file of infra/', () => {
    const files = readdirSync(repoPath('infra'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.bicep'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(() => parseBicep(readFileSync(path.join(repoPath('infra'), file), 'utf8'))).not.toThrow();
  });
});
