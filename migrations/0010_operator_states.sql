CREATE TABLE `operator_states` (
	`operator_id` integer PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`operator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
