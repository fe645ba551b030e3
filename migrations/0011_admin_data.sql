CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text,
	`before` text,
	`after` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE TABLE `calendar_days` (
	`date` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `categories` (
	`key` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`default_agency_id` integer,
	`resolve_working_days` integer,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`default_agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `routing_units` (
	`category` text NOT NULL,
	`unit_code` text NOT NULL,
	`agency_id` integer NOT NULL,
	PRIMARY KEY(`category`, `unit_code`),
	FOREIGN KEY (`category`) REFERENCES `categories`(`key`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_code`) REFERENCES `units`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `units` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`former_names` text DEFAULT '[]' NOT NULL,
	`search_text` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`imported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `units_name_idx` ON `units` (`name`);--> statement-breakpoint
ALTER TABLE `agencies` ADD `unit_code` text REFERENCES units(code);--> statement-breakpoint
ALTER TABLE `agencies` ADD `active` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `tickets` ADD `legacy_district` text;--> statement-breakpoint
ALTER TABLE `tickets` ADD `unit_code` text REFERENCES units(code);--> statement-breakpoint
ALTER TABLE `tickets` ADD `address` text;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `must_change_password` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `password_changed_at` integer;--> statement-breakpoint
UPDATE `tickets` SET `legacy_district` = `district`;--> statement-breakpoint
INSERT INTO `categories` (`key`, `name`, `default_agency_id`, `sort_order`) VALUES
	('health', 'Y tế, dịch bệnh', (SELECT `agency_id` FROM `routing` WHERE `category` = 'health'), 1),
	('welfare', 'An sinh xã hội, hỗ trợ lương thực', (SELECT `agency_id` FROM `routing` WHERE `category` = 'welfare'), 2),
	('goods', 'Hàng hóa thiết yếu', (SELECT `agency_id` FROM `routing` WHERE `category` = 'goods'), 3),
	('infrastructure', 'Hạ tầng đô thị', (SELECT `agency_id` FROM `routing` WHERE `category` = 'infrastructure'), 4),
	('public_services', 'Dịch vụ hành chính công', (SELECT `agency_id` FROM `routing` WHERE `category` = 'public_services'), 5),
	('policy', 'Hỏi đáp chính sách', (SELECT `agency_id` FROM `routing` WHERE `category` = 'policy'), 6),
	('other', 'Khác', (SELECT `agency_id` FROM `routing` WHERE `category` = 'other'), 7);--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
