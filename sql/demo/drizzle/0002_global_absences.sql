CREATE TABLE IF NOT EXISTS "global_absences" (
	"id" serial PRIMARY KEY NOT NULL,
	"date" date NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "global_absences_date_unique" UNIQUE("date")
);
