/**
 * The LSP lifecycle, enforced on every incoming message before it reaches a
 * handler (a vscode-jsonrpc message strategy):
 *
 * - before `initialize`: requests get ServerNotInitialized (-32002),
 *   notifications are dropped (except `exit`);
 * - a second `initialize` gets InvalidRequest;
 * - after `shutdown`: every request (a second `shutdown` too) gets
 *   InvalidRequest (-32600), notifications are dropped (except `exit`);
 * - params that are not an object (an array, a number, a string) get
 *   InvalidParams: every LSP method takes named params, vscode-jsonrpc would
 *   spread an array over the handler's arguments, and vscode-languageserver
 *   reads `params.workDoneToken` before a handler runs (a TypeError, so
 *   InternalError, on null).
 *
 * vscode-languageserver answers none of these itself: before initialize and
 * after shutdown it dispatches requests like any other.
 *
 * A message strategy can only pass a message on, so a refused request is
 * passed on rewritten: same id, method {@link REFUSED_METHOD}, and as params a
 * token object that exists only in this process. The handler registered for
 * that method throws the ResponseError kept for the token, and vscode-jsonrpc
 * sends it as the answer to the original id. A client that sends
 * REFUSED_METHOD itself cannot forge a token, and gets MethodNotFound.
 */
import { ErrorCodes, ResponseError, type Message, type MessageStrategy, type NotificationMessage, type RequestMessage } from 'vscode-languageserver';
import { isRecord } from './params';

export const REFUSED_METHOD = '$/sevlint/refused';

export type Phase = 'new' | 'running' | 'shutdown';

export class Lifecycle implements MessageStrategy {
  phase: Phase = 'new';
  private readonly refusals = new WeakMap<object, ResponseError<void>>();

  /** Where dropped notifications are reported (the connection's console, once it exists). */
  log: (message: string) => void = () => undefined;

  handleMessage(message: Message, next: (message: Message) => void): void {
    const m = message as Partial<RequestMessage & NotificationMessage>;
    if (typeof m.method !== 'string') return next(message); // a response to one of our requests
    const isRequest = 'id' in m && (typeof m.id === 'number' || typeof m.id === 'string');
    const params: unknown = m.params;
    if (!isRequest) {
      if (m.method === 'exit') return next(message);
      if (this.phase !== 'running') return this.log(`sevlint: dropped ${m.method}: the server is ${this.phase === 'new' ? 'not initialized yet' : 'shut down'}`);
      const ok = params === undefined || isRecord(params) || (params === null && m.method !== '$/cancelRequest');
      if (!ok) return this.log(`sevlint: dropped ${m.method}: its params are not an object`);
      return next(message);
    }
    // Missing params are answered by vscode-jsonrpc (InvalidParams, or nothing needed for shutdown); null only fits shutdown.
    const namedOrNone = params === undefined || isRecord(params) || (params === null && m.method === 'shutdown');
    const refuse = (code: number, text: string): void => {
      const token = {};
      this.refusals.set(token, new ResponseError(code, text));
      next({ jsonrpc: '2.0', id: m.id, method: REFUSED_METHOD, params: token } as RequestMessage);
    };
    if (this.phase === 'shutdown') return refuse(ErrorCodes.InvalidRequest, `${m.method}: the server is shut down`);
    if (this.phase === 'new' && m.method !== 'initialize') return refuse(ErrorCodes.ServerNotInitialized, `${m.method}: the server is not initialized`);
    if (!namedOrNone) return refuse(ErrorCodes.InvalidParams, `${m.method}: params must be an object`);
    if (m.method === 'initialize') {
      if (this.phase !== 'new') return refuse(ErrorCodes.InvalidRequest, 'initialize: the server is already initialized');
      const problem = initializeProblem(params);
      if (problem) return refuse(ErrorCodes.InvalidParams, `initialize: ${problem}`);
      this.phase = 'running';
    } else if (m.method === 'shutdown') {
      this.phase = 'shutdown';
    }
    next(message);
  }

  /** The answer kept for a refused request's token (handler of {@link REFUSED_METHOD}). */
  refusal(params: unknown): ResponseError<void> {
    return (typeof params === 'object' && params !== null && this.refusals.get(params)) || new ResponseError(ErrorCodes.MethodNotFound, `Unhandled method ${REFUSED_METHOD}`);
  }
}

/** What vscode-languageserver's own initialize handler needs to not throw. */
function initializeProblem(params: unknown): string | undefined {
  if (!isRecord(params)) return 'params must be an object';
  if (!isRecord(params['capabilities'])) return 'capabilities must be an object';
  const pid = params['processId'];
  if (pid !== undefined && pid !== null && !Number.isSafeInteger(pid)) return 'processId must be an integer or null';
  if (params['trace'] !== undefined && typeof params['trace'] !== 'string') return 'trace must be a string';
  return undefined;
}
