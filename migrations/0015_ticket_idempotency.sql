CREATE TABLE `ticket_idempotency_keys` (
	`user_id` integer NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`ticket_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ticket_idempotency_keys_user_key_idx` ON `ticket_idempotency_keys` (`user_id`,`key`);--> statement-breakpoint
CREATE INDEX `ticket_idempotency_keys_created_idx` ON `ticket_idempotency_keys` (`created_at`);