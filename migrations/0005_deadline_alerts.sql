CREATE TABLE `deadline_alerts` (
	`ticket_id` integer NOT NULL,
	`due` text NOT NULL,
	`kind` text NOT NULL,
	`due_at` integer NOT NULL,
	`raised_at` integer NOT NULL,
	PRIMARY KEY(`ticket_id`, `due`, `kind`, `due_at`),
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
