import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../lambdas/domain/auth/api-key';
import { readLocalSettings, SettingsError } from '../../../lambdas/local/settings';

function problemsOf(env: Record<string, string>): string[] {
  try {
    readLocalSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('settings were accepted');
}

describe('npm start settings', () => {
  it('has the documented defaults', () => {
    expect(readLocalSettings({})).toEqual({
      port: 4318,
      grpcPort: 4317,
      controlPlanePort: 4319,
      host: '127.0.0.1',
      dataDir: '.data',
      projectName: 'default',
      apiKey: undefined,
      logLevel: 'info',
      logFormat: 'text',
      corsOrigins: undefined,
      sessionQuietSeconds: 60,
      monitorIntervalSeconds: 60,
    });
  });

  it('takes a monitor interval of 1 s to an hour, and refuses others', () => {
    expect(readLocalSettings({ WAGGLE_MONITOR_INTERVAL_S: '2' }).monitorIntervalSeconds).toBe(2);
    for (const bad of ['0', '3601', '1.5', 'soon'])
      expect(() => readLocalSettings({ WAGGLE_MONITOR_INTERVAL_S: bad })).toThrow(
        /WAGGLE_MONITOR_INTERVAL_S/,
      );
  });

  it('takes a session quiet period SQS can delay, and refuses one it cannot', () => {
    expect(readLocalSettings({ WAGGLE_SESSION_QUIET_S: '5' }).sessionQuietSeconds).toBe(5);
    expect(() => readLocalSettings({ WAGGLE_SESSION_QUIET_S: '901' })).toThrow(/WAGGLE_SESSION_QUIET_S/);
    expect(() => readLocalSettings({ WAGGLE_SESSION_QUIET_S: '0' })).toThrow(/WAGGLE_SESSION_QUIET_S/);
  });

  it('takes a well-formed WAGGLE_LOCAL_API_KEY and the log settings in any case', () => {
    const key = generateApiKey();
    const settings = readLocalSettings({
      WAGGLE_LOCAL_API_KEY: key,
      WAGGLE_LOG_LEVEL: 'DEBUG',
      WAGGLE_LOG_FORMAT: 'json',
    });
    expect(settings).toMatchObject({ apiKey: key, logLevel: 'debug', logFormat: 'json' });
  });

  it('refuses a WAGGLE_LOCAL_API_KEY with a wrong format or checksum, saying how to make a key', () => {
    const key = generateApiKey();
    const wrongChecksum = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of ['my-key', wrongChecksum, `${key}x`]) {
      const [problem] = problemsOf({ WAGGLE_LOCAL_API_KEY: bad });
      expect(problem).toContain('WAGGLE_LOCAL_API_KEY');
      expect(problem).toContain('npm run keys -- create');
    }
  });

  it('refuses bad log settings and ports, naming every one', () => {
    const problems = problemsOf({
      WAGGLE_LOG_LEVEL: 'verbose',
      WAGGLE_LOG_FORMAT: 'xml',
      WAGGLE_PORT: '80a',
      WAGGLE_CP_PORT: '70000',
      WAGGLE_GRPC_PORT: '-1',
    });
    expect(problems).toHaveLength(5);
    expect(problems[0]).toContain('WAGGLE_PORT');
    expect(problems.join('\n')).toContain('WAGGLE_LOG_LEVEL must be one of error, warn, info, debug');
    expect(problems.join('\n')).toContain('WAGGLE_LOG_FORMAT must be one of text, json');
    expect(problems.join('\n')).toContain('WAGGLE_CP_PORT');
    expect(problems.join('\n')).toContain('WAGGLE_GRPC_PORT must be a port number (0-65535), got "-1"');
  });

  it('takes the OTLP/gRPC port from WAGGLE_GRPC_PORT, 0 for any free port', () => {
    expect(readLocalSettings({ WAGGLE_GRPC_PORT: '14317' }).grpcPort).toBe(14317);
    expect(readLocalSettings({ WAGGLE_GRPC_PORT: '0' }).grpcPort).toBe(0);
  });

  it('takes WAGGLE_CORS_ORIGINS as a comma-separated list of exact origins', () => {
    expect(
      readLocalSettings({ WAGGLE_CORS_ORIGINS: 'http://127.0.0.1:4319, http://localhost:5173,' }).corsOrigins,
    ).toEqual(['http://127.0.0.1:4319', 'http://localhost:5173']);
    expect(readLocalSettings({ WAGGLE_CORS_ORIGINS: 'https://console.example.com' }).corsOrigins).toEqual([
      'https://console.example.com',
    ]);
  });

  it('refuses a WAGGLE_CORS_ORIGINS that is not a list of exact origins, naming each mistake', () => {
    for (const [value, words] of [
      ['*', '"*" is not allowed'],
      ['http://127.0.0.1:4319/', 'no path or trailing slash: http://127.0.0.1:4319'],
      ['http://localhost:5173/app', 'no path or trailing slash'],
      ['127.0.0.1:4319', 'is not a URL'],
      ['not a url', 'is not a URL'],
      ['ftp://files.example.com', 'not an http(s) origin'],
      [' , ', 'no origin given'],
    ] as const) {
      const problems = problemsOf({ WAGGLE_CORS_ORIGINS: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0]).toContain('WAGGLE_CORS_ORIGINS must list the origins');
      expect(problems[0]).toContain(words);
    }
  });
});
