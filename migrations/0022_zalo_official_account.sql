CREATE TABLE `zalo_conversations` (
	`zalo_user_id` text PRIMARY KEY NOT NULL,
	`display_name` text,
	`phone` text,
	`followed_at` integer,
	`last_citizen_at` integer,
	`last_message_at` integer NOT NULL,
	`request_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `written_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `zalo_conversations_last_idx` ON `zalo_conversations` (`last_message_at`);--> statement-breakpoint
CREATE TABLE `zalo_inbound_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dedupe_key` text NOT NULL,
	`event_name` text NOT NULL,
	`zalo_user_id` text,
	`body` text NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	`outcome` text,
	`error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `zalo_inbound_events_dedupe_key_unique` ON `zalo_inbound_events` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `zalo_inbound_events_unprocessed_idx` ON `zalo_inbound_events` (`processed_at`,`id`);--> statement-breakpoint
CREATE TABLE `zalo_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`zalo_user_id` text NOT NULL,
	`direction` text NOT NULL,
	`msg_id` text,
	`event_id` integer,
	`kind` text NOT NULL,
	`text` text,
	`photo_id` integer,
	`latitude` real,
	`longitude` real,
	`request_id` integer,
	`purpose` text,
	`ticket_id` integer,
	`sent_by` integer,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`zalo_user_id`) REFERENCES `zalo_conversations`(`zalo_user_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`event_id`) REFERENCES `zalo_inbound_events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`photo_id`) REFERENCES `written_request_photos`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`request_id`) REFERENCES `written_requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sent_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `zalo_messages_user_idx` ON `zalo_messages` (`zalo_user_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `zalo_messages_event_idx` ON `zalo_messages` (`event_id`) WHERE "zalo_messages"."event_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `zalo_messages_ticket_idx` ON `zalo_messages` (`ticket_id`,`purpose`) WHERE "zalo_messages"."ticket_id" is not null;--> statement-breakpoint
CREATE TABLE `zalo_tokens` (
	`id` integer PRIMARY KEY NOT NULL,
	`access_token` text,
	`access_expires_at` integer,
	`refresh_token` text NOT NULL,
	`updated_at` integer NOT NULL
);
