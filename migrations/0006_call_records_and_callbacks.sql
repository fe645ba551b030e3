CREATE TABLE `call_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`operator_id` integer,
	`detail` text,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `call_events_call_idx` ON `call_events` (`call_id`,`at`);--> statement-breakpoint
CREATE TABLE `call_offers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` text NOT NULL,
	`operator_id` integer NOT NULL,
	`offered_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`operator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `call_offers_call_idx` ON `call_offers` (`call_id`);--> statement-breakpoint
CREATE TABLE `callbacks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`caller_number` text NOT NULL,
	`queue` text NOT NULL,
	`call_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_abandon_at` integer NOT NULL,
	`abandons` integer DEFAULT 1 NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `callbacks_status_idx` ON `callbacks` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `callbacks_caller_idx` ON `callbacks` (`caller_number`,`status`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`caller_number` text NOT NULL,
	`arrived_at` integer NOT NULL,
	`menu_path` text DEFAULT '' NOT NULL,
	`queue` text,
	`queued_at` integer,
	`left_queue_at` integer,
	`operator_id` integer,
	`answered_at` integer,
	`ended_at` integer,
	`end_reason` text,
	`wait_seconds` integer,
	`talk_seconds` integer,
	FOREIGN KEY (`operator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `calls_arrived_idx` ON `calls` (`arrived_at`);--> statement-breakpoint
CREATE INDEX `calls_queued_idx` ON `calls` (`queued_at`);--> statement-breakpoint
CREATE INDEX `calls_caller_idx` ON `calls` (`caller_number`,`arrived_at`);