CREATE TABLE `open311_tokens` (
	`token` text PRIMARY KEY NOT NULL,
	`request_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `written_requests`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `open311_clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `open311_tokens_request_idx` ON `open311_tokens` (`request_id`,`client_id`);--> statement-breakpoint
ALTER TABLE `units` ADD `latitude` real;--> statement-breakpoint
ALTER TABLE `units` ADD `longitude` real;