import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Dashboard, EventFilter, EventStore } from '../../store/event-store.js';
import { DashboardReply, ErrorReply, EventPageSchema, EventQuery } from '../api-schemas.js';
import type { ConsoleContext } from '../console-context.js';
import { httpError } from '../http-error.js';

const NO_EVENTS: Dashboard = { hours24: [], days7: [], topNames: [], topClients: [], perList: [], perGroup: [] };

/**
 * GET /api/events (one page, newest first, `next` as the cursor of the page after), GET /api/events.csv (the
 * same filters, every match, as a download), GET /api/dashboard (the store's counts and every zone's state).
 * All read the event store (src/store/event-store.ts); without one (store.enabled: false) the first two
 * answer 503 and the dashboard shows the zones with no counts.
 */
export function eventRoutes(context: ConsoleContext) {
  const store = (): EventStore => context.events ?? httpError(503, 'the event store is off (store.enabled: false): the block log\'s JSON lines are all there is');
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/events', {
      config: { access: 'read' },
      schema: { summary: 'Search the stored events', querystring: EventQuery, response: { 200: EventPageSchema, 503: ErrorReply } },
      handler: async (request) => store().search(request.query as EventFilter),
    });

    app.get('/events.csv', {
      config: { access: 'read' },
      schema: { summary: 'The events a search finds, as CSV', querystring: EventQuery, produces: ['text/csv'], response: { 200: { type: 'string', description: 'A header line, then one line per event, newest first.' }, 503: ErrorReply } },
      handler: async (request, reply) => {
        const { limit: _limit, before: _before, ...filter } = request.query as EventFilter;
        const lines = store().csv(filter);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="stopzone-events.csv"')
          .send(Readable.from(withNewlines(lines)));
      },
    });

    app.get('/dashboard', {
      config: { access: 'read' },
      schema: { summary: 'Blocks per hour, top names and clients, per list and group, and each zone\'s state', response: { 200: DashboardReply } },
      handler: async () => ({ ...(context.events?.dashboard(context.now()) ?? NO_EVENTS), zones: context.zoneStatus() }),
    });
  };
}

/** Each line ending in a newline, whether the store gave it one or not. */
function* withNewlines(lines: Iterable<string>): Generator<string> {
  for (const line of lines) yield line.endsWith('\n') ? line : `${line}\n`;
}
