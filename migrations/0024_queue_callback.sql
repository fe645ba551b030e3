ALTER TABLE `callback_attempts` ADD `kind` text DEFAULT 'operator' NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_attempts` ADD `call_id` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `reached_by` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `queue_held` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `queue_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `callbacks` SET `reached_by` = CASE WHEN `closed_by_call_id` IS NOT NULL THEN 'later_call' ELSE 'operator' END WHERE `status` = 'reached';
