ALTER TABLE "api_tokens" ADD COLUMN "request_key" text;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "request_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_user_request_key_idx" ON "api_tokens" USING btree ("user_id","request_key") WHERE "api_tokens"."request_key" is not null;--> statement-breakpoint
CREATE INDEX "presence_user_seen_idx" ON "presence" USING btree ("user_id","seen_at");