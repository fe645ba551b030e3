CREATE TABLE `ticket_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text,
	`reason` text,
	`text` text,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_events_ticket_idx` ON `ticket_events` (`ticket_id`,`id`);--> statement-breakpoint
ALTER TABLE `agencies` ADD `kind` text DEFAULT 'department' NOT NULL;--> statement-breakpoint
ALTER TABLE `agencies` ADD `district` text;--> statement-breakpoint
ALTER TABLE `tickets` ADD `priority` text DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE `tickets` ADD `assigned_at` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `ack_due_at` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `resolve_due_at` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `acked_at` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `resolved_at` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `extension_reason` text;--> statement-breakpoint
ALTER TABLE `tickets` ADD `extension_granted_at` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `result` text;--> statement-breakpoint
ALTER TABLE `tickets` ADD `parent_id` integer REFERENCES tickets(id);--> statement-breakpoint
ALTER TABLE `tickets` ADD `delivery_status` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `tickets` ADD `delivery_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tickets` ADD `delivery_last_error` text;--> statement-breakpoint
ALTER TABLE `tickets` ADD `delivered_at` integer;--> statement-breakpoint
CREATE INDEX `tickets_delivery_idx` ON `tickets` (`delivery_status`);