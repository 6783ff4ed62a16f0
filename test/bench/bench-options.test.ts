import { describe, expect, it } from 'vitest';
import { durationSeconds, parseBenchOptions, type BenchOptions } from '../../scripts/bench/bench-options';
import { UsageError } from '../../scripts/lib/cli';

const parse = (...argv: string[]): BenchOptions => {
  const options = parseBenchOptions(argv);
  if (options === 'help') throw new Error('unexpected --help');
  return options;
};

describe('bench options', () => {
  it('default to an open loop on a fresh data folder on disk, both styles', () => {
    expect(parse()).toMatchObject({ mode: 'open', rate: 10, durationSeconds: 20, states: ['disk'], styles: ['orchestration', 'choreography'], failureShare: 0.2 });
    expect(parse().dataDir).toBeUndefined();
  });

  it('take durations in seconds or minutes, with defaults per mode', () => {
    expect(durationSeconds('45', 20)).toBe(45);
    expect(durationSeconds('45s', 20)).toBe(45);
    expect(durationSeconds('10m', 20)).toBe(600);
    expect(durationSeconds(undefined, 20)).toBe(20);
    expect(() => durationSeconds('10h', 20)).toThrow(UsageError);
    expect(() => durationSeconds('0', 20)).toThrow(/from 1 s/);
    expect(parse('--mode', 'soak')).toMatchObject({ rate: 30, durationSeconds: 600, soakIntervalSeconds: 60 });
    expect(parse('--mode', 'soak', '--rate', '30', '--duration', '2m', '--soak-interval', '20')).toMatchObject({ durationSeconds: 120, soakIntervalSeconds: 20 });
  });

  it('read the data sizes in ascending order, without repeats', () => {
    expect(parse('--mode', 'data-size').sizes).toEqual([1000, 10000, 100000]);
    expect(parse('--mode', 'data-size', '--sizes', '5000,1000,5000').sizes).toEqual([1000, 5000]);
    expect(() => parse('--mode', 'data-size', '--sizes', '1000,lots')).toThrow(/--sizes must be a whole number/);
  });

  it('choose where the host keeps its state, one run per state for both', () => {
    expect(parse('--state', 'memory').states).toEqual(['memory']);
    expect(parse('--state', 'both').states).toEqual(['disk', 'memory']);
    expect(parse('--data-dir', '/tmp/x')).toMatchObject({ states: ['disk'], dataDir: '/tmp/x' });
    expect(() => parse('--state', 'cloud')).toThrow(/--state must be one of disk, memory, both/);
    expect(() => parse('--state', 'memory', '--data-dir', '/tmp/x')).toThrow(/--data-dir is for --state disk/);
  });

  it('refuse what cannot work with a host started elsewhere', () => {
    expect(() => parse('--url', 'http://localhost:7071', '--state', 'memory')).toThrow(/with --url the host is already running/);
    expect(() => parse('--url', 'http://localhost:7071', '--mode', 'data-size')).toThrow(/restarts the host/);
    expect(parse('--url', 'http://localhost:7071')).toMatchObject({ url: 'http://localhost:7071' });
  });

  it('reject unknown modes and flags, and answer --help', () => {
    expect(() => parse('--mode', 'burst')).toThrow(/--mode must be one of open, closed, soak, data-size/);
    expect(() => parse('--rat', '5')).toThrow(UsageError);
    expect(parseBenchOptions(['--help'])).toBe('help');
  });
});
