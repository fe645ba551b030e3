CREATE TABLE `report_mails` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`recipients` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`file_name` text NOT NULL,
	`file` blob NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`provider_message_id` text,
	`next_attempt_at` integer,
	`claimed_until` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `report_mails_kind_period_idx` ON `report_mails` (`kind`,`period_from`);--> statement-breakpoint
CREATE INDEX `report_mails_status_idx` ON `report_mails` (`status`,`next_attempt_at`);