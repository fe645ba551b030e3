DROP TABLE `routing`;--> statement-breakpoint
DROP TABLE `routing_districts`;--> statement-breakpoint
ALTER TABLE `agencies` DROP COLUMN `district`;--> statement-breakpoint
ALTER TABLE `tickets` DROP COLUMN `district`;