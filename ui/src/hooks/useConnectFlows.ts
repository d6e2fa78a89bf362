import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useRef, useState } from 'react';
import { toBackendError, useBackend, type ApiError, type ConnectFinished, type ConnectRequest, type ConnectStart } from '../backend';
import { accountLabel } from '../lib/connections';
import { notifyError, notifySuccess } from '../lib/notify';

/** A sign-in open in the system browser. */
export type WaitingFlow = ConnectStart & { platform: string; connectionId: string | null };

type ByPlatform<T> = Record<string, T>;

/** Outcomes that arrived before startConnect answered (a very fast sign-in); few are ever kept. */
const EARLY_LIMIT = 16;

function without<T>(map: ByPlatform<T>, key: string): ByPlatform<T> {
  const rest = { ...map };
  delete rest[key];
  return rest;
}

/**
 * Sign-ins started from the Connections page, at most one per platform: start, wait for the
 * "connect-finished" event, cancel. Failures stay per platform until dismissed or retried.
 */
export function useConnectFlows(platformName: (id: string) => string, reload: () => Promise<void>) {
  const backend = useBackend();
  const [waiting, setWaitingState] = useState<ByPlatform<WaitingFlow>>({});
  const [failures, setFailures] = useState<ByPlatform<ApiError>>({});
  // The event handler needs the flows as they are now, not as of the last render.
  const waitingNow = useRef<ByPlatform<WaitingFlow>>({});
  const early = useRef(new Map<string, ConnectFinished>());
  const nameOf = useRef(platformName);
  nameOf.current = platformName;

  const setWaiting = useCallback((update: (w: ByPlatform<WaitingFlow>) => ByPlatform<WaitingFlow>) => {
    waitingNow.current = update(waitingNow.current);
    setWaitingState(waitingNow.current);
  }, []);

  const fail = useCallback((platform: string, error: ApiError) => setFailures((f) => ({ ...f, [platform]: error })), []);

  const finish = useCallback(
    (flow: WaitingFlow, e: ConnectFinished) => {
      setWaiting((w) => without(w, flow.platform));
      const name = nameOf.current(flow.platform);
      if (e.ok) {
        if (e.account_mismatch) {
          notifications.show({
            color: 'orange',
            title: `${name}: a different account signed in`,
            message: 'The connection keeps its current account until you choose on its card.',
            autoClose: 10_000,
          });
        } else {
          const who = e.connection ? ` as ${accountLabel(e.connection.account_name, e.connection.account_id)}` : '';
          notifySuccess(`Connected ${name}${who}.`);
        }
      } else if (e.error?.code !== 'cancelled') {
        fail(flow.platform, e.error ?? { code: 'unknown', message: 'The sign-in failed without saying why.' });
      }
      void reload();
    },
    [fail, reload, setWaiting],
  );

  useEffect(
    () =>
      backend.onConnectFinished((e) => {
        const flow = Object.values(waitingNow.current).find((f) => f.flow_id === e.flow_id);
        if (flow) {
          finish(flow, e);
          return;
        }
        early.current.set(e.flow_id, e);
        if (early.current.size > EARLY_LIMIT) early.current.delete(early.current.keys().next().value as string);
      }),
    [backend, finish],
  );

  const start = useCallback(
    async (request: ConnectRequest) => {
      setFailures((f) => without(f, request.platform));
      try {
        const started = await backend.startConnect(request);
        const flow: WaitingFlow = { ...started, platform: request.platform, connectionId: request.connection_id };
        const done = early.current.get(started.flow_id);
        if (done) {
          early.current.delete(started.flow_id);
          finish(flow, done);
        } else {
          setWaiting((w) => ({ ...w, [request.platform]: flow }));
        }
      } catch (e) {
        const err = toBackendError(e);
        fail(request.platform, { code: err.code, message: err.message });
      }
    },
    [backend, fail, finish, setWaiting],
  );

  const cancel = useCallback(
    async (platform: string) => {
      const flow = waitingNow.current[platform];
      if (!flow) return;
      setWaiting((w) => without(w, platform));
      try {
        await backend.cancelConnect(flow.flow_id);
      } catch (e) {
        notifyError('Could not cancel the sign-in', e);
      }
    },
    [backend, setWaiting],
  );

  const connectApiKey = useCallback(
    async (platform: string, appCredentialId: string | null, clientId: string, brandId: string | null) => {
      setFailures((f) => without(f, platform));
      try {
        const { connection } = await backend.connectApiKey(platform, appCredentialId, clientId, brandId);
        notifySuccess(`Connected ${nameOf.current(platform)} as ${accountLabel(connection.account_name, connection.account_id)}.`);
        await reload();
      } catch (e) {
        const err = toBackendError(e);
        fail(platform, { code: err.code, message: err.message });
      }
    },
    [backend, fail, reload],
  );

  const dismissFailure = useCallback((platform: string) => setFailures((f) => without(f, platform)), []);

  return { waiting, failures, start, cancel, connectApiKey, dismissFailure };
}
