ALTER TABLE `calls` ADD `recording` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_kind` text;