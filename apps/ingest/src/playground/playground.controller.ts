import { Body, Controller, Get, Header, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlaygroundRequest, PlaygroundService } from './playground.service';

/**
 * The page's own files, read once: they ship beside this module (scripts/copy-assets.js copies
 * them into dist/), so the page needs no build step and no network beyond the relay.
 */
const ASSETS: Record<string, { type: string; body: string }> = Object.fromEntries(
  [
    ['playground.html', 'text/html; charset=utf-8'],
    ['playground.js', 'text/javascript; charset=utf-8'],
    ['playground.css', 'text/css; charset=utf-8'],
  ].map(([file, type]) => [file, { type, body: readFileSync(join(__dirname, 'assets', file), 'utf8') }]),
);

/**
 * Only the relay's own files run: no inline script, nothing from elsewhere. Images from a
 * template's markdown are not fetched either (the page stays within the relay); an email's HTML
 * is shown in a sandboxed iframe, where it runs no script.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `/ui`: the template playground and delivery view; behind `dashboard.basic_auth` (IngestModule's request hook), as Bull Board is. */
@Controller('ui')
export class PlaygroundController {
  constructor(private readonly playground: PlaygroundService) {}

  @Get()
  page(@Res({ passthrough: true }) reply: FastifyReply): string {
    return this.asset('playground.html', reply);
  }

  @Get('assets/:file')
  file(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    return this.asset(file, reply);
  }

  @Get('api/targets')
  @Header('Cache-Control', 'no-store')
  targets() {
    return this.playground.targets();
  }

  @Get('api/example')
  @Header('Cache-Control', 'no-store')
  example(@Query('id') id: string, @Query('target') target: string) {
    return { notification: this.playground.example(id, target) };
  }

  @Post('api/render')
  @HttpCode(200)
  render(@Body() body: PlaygroundRequest) {
    return this.playground.render(body ?? ({} as PlaygroundRequest));
  }

  @Post('api/test-send')
  @HttpCode(202)
  testSend(@Body() body: PlaygroundRequest) {
    return this.playground.testSend(body ?? ({} as PlaygroundRequest));
  }

  @Get('api/deliveries')
  @Header('Cache-Control', 'no-store')
  deliveries(@Query('target') target: string) {
    return this.playground.deliveries(target);
  }

  @Get('api/job')
  @Header('Cache-Control', 'no-store')
  async job(@Query('target') target: string, @Query('id') id: string) {
    return { notification: await this.playground.jobNotification(target, id) };
  }

  private asset(file: string, reply: FastifyReply): string {
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new NotFoundException(`no file "${file}"`);
    void reply.header('Content-Type', asset.type).header('Content-Security-Policy', CONTENT_SECURITY_POLICY).header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'no-cache');
    return asset.body;
  }
}
