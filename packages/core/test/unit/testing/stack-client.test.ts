import { describe, expect, it } from 'vitest';
import { toProcessRequest } from '../../../src/exec/transport.js';
import { createStackClient, secretEnvToOptions, stackTransport } from '../../../src/testing/stack-client.js';

const secret = 'not-a-real-passphrase';

describe('createStackClient', () => {
  it('reaches a container stack with docker exec and a native stack with runuser', () => {
    expect(stackTransport({ kind: 'container', user: 'postgres', containerName: 'chronos-demo-1' })).toEqual({
      kind: 'docker',
      container: 'chronos-demo-1',
      user: 'postgres',
    });
    expect(stackTransport({ kind: 'native', user: 'postgres', env: {} })).toEqual({
      kind: 'local',
      runAs: { user: 'postgres' },
    });
  });

  it('turns PGBACKREST_* names into option names and refuses anything else', () => {
    expect(secretEnvToOptions({ PGBACKREST_REPO2_S3_KEY_SECRET: 'x', PGBACKREST_REPO1_CIPHER_PASS: 'y' })).toEqual({
      'repo2-s3-key-secret': 'x',
      'repo1-cipher-pass': 'y',
    });
    expect(() => secretEnvToOptions({ HOME: '/root' })).toThrow(/PGBACKREST_/);
  });

  it('binds stanza, config and version, and sends a native stack’s secrets by environment, never argv', async () => {
    const client = createStackClient({
      stanza: 'demo',
      configPath: '/tmp/stack/pgbackrest.conf',
      pgBackRestVersion: '2.45',
      transport: { kind: 'native', user: 'postgres', env: {} },
      secretEnv: () => ({ PGBACKREST_REPO1_CIPHER_PASS: secret }),
    });
    expect(client.stanza).toBe('demo');
    const command = await client.build('backup', { type: 'full' });
    expect(command.args).toEqual(
      expect.arrayContaining(['--config=/tmp/stack/pgbackrest.conf', '--stanza=demo', '--type=full', 'backup']),
    );
    expect(command.env).toEqual({ PGBACKREST_REPO1_CIPHER_PASS: secret });
    const request = toProcessRequest(command, stackTransport({ kind: 'native', user: 'postgres', env: {} }), {});
    expect(request.file).toBe('runuser');
    expect(request.args.join(' ')).not.toContain(secret);
  });

  it('leaves a container stack’s secrets in the container unless told otherwise', async () => {
    const target = {
      stanza: 'demo',
      configPath: '/etc/pgbackrest/pgbackrest.conf',
      pgBackRestVersion: '2.55.1',
      transport: { kind: 'container', user: 'postgres', containerName: 'c1' },
      secretEnv: () => ({ PGBACKREST_REPO1_CIPHER_PASS: secret }),
    } as const;
    expect((await createStackClient(target).build('check')).env).toEqual({});
    const wrong = createStackClient(target, { options: { 'repo1-cipher-pass': 'other' } });
    expect((await wrong.build('check')).env).toEqual({ PGBACKREST_REPO1_CIPHER_PASS: 'other' });
  });
});
