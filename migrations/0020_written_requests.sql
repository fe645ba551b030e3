CREATE TABLE `intake_idempotency_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`request_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `written_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `intake_idempotency_keys_key_idx` ON `intake_idempotency_keys` (`scope`,`key`);--> statement-breakpoint
CREATE INDEX `intake_idempotency_keys_created_idx` ON `intake_idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `open311_clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`api_key_prefix` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `open311_clients_name_unique` ON `open311_clients` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `open311_clients_api_key_hash_unique` ON `open311_clients` (`api_key_hash`);--> statement-breakpoint
CREATE TABLE `phone_verifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`phone` text NOT NULL,
	`address` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`tries` integer DEFAULT 0 NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `phone_verifications_phone_idx` ON `phone_verifications` (`phone`,`created_at`);--> statement-breakpoint
CREATE INDEX `phone_verifications_address_idx` ON `phone_verifications` (`address`,`created_at`);--> statement-breakpoint
CREATE TABLE `written_request_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`actor_id` integer,
	`text` text,
	FOREIGN KEY (`request_id`) REFERENCES `written_requests`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `written_request_events_request_idx` ON `written_request_events` (`request_id`,`id`);--> statement-breakpoint
CREATE TABLE `written_request_photos` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`position` integer NOT NULL,
	`mime` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`data` blob NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `written_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `written_request_photos_position_idx` ON `written_request_photos` (`request_id`,`position`);--> statement-breakpoint
CREATE TABLE `written_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tracking_code` text NOT NULL,
	`channel` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`category` text,
	`description` text NOT NULL,
	`unit_code` text,
	`address` text,
	`latitude` real,
	`longitude` real,
	`citizen_name` text,
	`phone` text,
	`phone_verified` integer DEFAULT false NOT NULL,
	`zalo_user_id` text,
	`client_id` integer,
	`consent_version` text,
	`consent_at` integer,
	`joined_count` integer DEFAULT 0 NOT NULL,
	`ticket_id` integer,
	`closed_reason` text,
	`taken_by` integer,
	`taken_at` integer,
	`first_response_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_code`) REFERENCES `units`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `open311_clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`taken_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `written_requests_tracking_code_unique` ON `written_requests` (`tracking_code`);--> statement-breakpoint
CREATE INDEX `written_requests_status_idx` ON `written_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `written_requests_phone_idx` ON `written_requests` (`phone`,`created_at`);--> statement-breakpoint
CREATE INDEX `written_requests_zalo_idx` ON `written_requests` (`zalo_user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `written_requests_ticket_idx` ON `written_requests` (`ticket_id`) WHERE "written_requests"."ticket_id" is not null;