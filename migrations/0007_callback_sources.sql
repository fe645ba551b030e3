DROP INDEX `callbacks_status_idx`;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `source` text DEFAULT 'abandoned' NOT NULL;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `waiting_since` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `callbacks` SET `waiting_since` = `created_at`;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `recording` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `recording_call_id` text REFERENCES calls(id);--> statement-breakpoint
CREATE INDEX `callbacks_status_idx` ON `callbacks` (`status`,`waiting_since`);