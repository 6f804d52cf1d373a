import { validRequestId } from '../../platform/ids.js';

/**
 * The id of a request: the client's `X-Request-Id` when it has the allowed form
 * (1-128 of `[A-Za-z0-9._-]`), otherwise the gateway's own id. An invalid client
 * value is ignored, never refused. Header names match in any case (the last
 * spelling wins, as in `lowerHeaders`).
 */
export function requestIdOf(headers: Record<string, string | undefined> | null | undefined, gatewayId: string): string {
  let sent: string | undefined;
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() === 'x-request-id') sent = value;
  return validRequestId(sent) ?? gatewayId;
}
