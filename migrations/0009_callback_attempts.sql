CREATE TABLE `callback_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`callback_id` integer NOT NULL,
	`operator_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text,
	`detail` text,
	FOREIGN KEY (`callback_id`) REFERENCES `callbacks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`operator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `callback_attempts_callback_idx` ON `callback_attempts` (`callback_id`);--> statement-breakpoint
ALTER TABLE `callbacks` ADD `claimed_by` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `callbacks` ADD `claimed_until` integer;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `given_up_reason` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `given_up_note` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `given_up_by` integer REFERENCES users(id);