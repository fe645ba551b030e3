ALTER TABLE `agencies` ADD `receives_caller_number` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `sip_secret` text;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `sip_password`;