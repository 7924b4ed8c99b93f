import type { Env } from './model';

export default {
  async fetch(_request: Request, _env: Env): Promise<Response> {
    return new Response('tributary');
  },
} satisfies ExportedHandler<Env>;
