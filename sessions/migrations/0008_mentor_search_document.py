"""The directory's search document, kept by PostgreSQL (docs/design/search.md).

`mentors_mentorprofile.search_document` is a tsvector of what a mentee may search a mentor by,
weighted for ranking:

    A  the headline
    B  the skills' names and the mentor's display name
    C  the titles of their published offerings
    D  the bio

It is computed by one SQL function, `mentor_search_document`, and kept up to date by triggers on
every table it reads, so no write path can forget it (the services, the admin, bulk updates such
as a suspension unpublishing offerings, raw SQL): a profile's headline, bio or user; a user's
display name; a skill's name; the skills a mentor has; an offering's title, publication or mentor.
Links and offerings changed in bulk refresh each mentor once per statement (transition tables).
The triggers compare old and new values, so the frequent writes to these rows (a login's
`last_login`, the free-slot preview, ratings) do not recompute anything.

This migration lives in sessions, the lowest app that knows all four tables (as
sessions/previews.py keeps the directory's lowest price). PostgreSQL only: on SQLite the column
stays empty and the directory searches the fields themselves (discover/search.py).
"""

from django.db import migrations

CREATE = r"""
CREATE FUNCTION mentor_search_document(p_mentor bigint, p_user bigint, p_headline text, p_bio text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT
    setweight(to_tsvector('english', coalesce(p_headline, '')), 'A')
    || setweight(to_tsvector('english', coalesce((
         SELECT string_agg(s.name, ' ' ORDER BY s.name)
         FROM mentors_mentorprofile_skills ms JOIN mentors_skill s ON s.id = ms.skill_id
         WHERE ms.mentorprofile_id = p_mentor), '')), 'B')
    || setweight(to_tsvector('english', coalesce((
         SELECT u.display_name FROM accounts_user u WHERE u.id = p_user), '')), 'B')
    || setweight(to_tsvector('english', coalesce((
         SELECT string_agg(o.title, ' ' ORDER BY o.id)
         FROM mentoring_offering o WHERE o.mentor_id = p_mentor AND o.is_published), '')), 'C')
    || setweight(to_tsvector('english', coalesce(p_bio, '')), 'D')
$$;

CREATE FUNCTION mentors_search_refresh(p_mentors bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE mentors_mentorprofile m
  SET search_document = mentor_search_document(m.id, m.user_id, m.headline, m.bio)
  WHERE m.id = ANY(p_mentors)
$$;

-- The profile itself: computed from the row being written.
CREATE FUNCTION mentor_search_profile_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_document := mentor_search_document(NEW.id, NEW.user_id, NEW.headline, NEW.bio);
  RETURN NEW;
END $$;
CREATE TRIGGER mentor_search_profile_inserted BEFORE INSERT ON mentors_mentorprofile
  FOR EACH ROW EXECUTE FUNCTION mentor_search_profile_written();
CREATE TRIGGER mentor_search_profile_updated BEFORE UPDATE OF headline, bio, user_id ON mentors_mentorprofile
  FOR EACH ROW WHEN ((OLD.headline, OLD.bio, OLD.user_id) IS DISTINCT FROM (NEW.headline, NEW.bio, NEW.user_id))
  EXECUTE FUNCTION mentor_search_profile_written();

-- A user's display name.
CREATE FUNCTION mentor_search_user_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mentors_search_refresh(ARRAY(SELECT id FROM mentors_mentorprofile WHERE user_id = NEW.id));
  RETURN NULL;
END $$;
CREATE TRIGGER mentor_search_user_renamed AFTER UPDATE OF display_name ON accounts_user
  FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
  EXECUTE FUNCTION mentor_search_user_renamed();

-- A skill's name.
CREATE FUNCTION mentor_search_skill_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mentors_search_refresh(ARRAY(
    SELECT mentorprofile_id FROM mentors_mentorprofile_skills WHERE skill_id = NEW.id));
  RETURN NULL;
END $$;
CREATE TRIGGER mentor_search_skill_renamed AFTER UPDATE OF name ON mentors_skill
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION mentor_search_skill_renamed();

-- The skills a mentor has (Django adds and removes the link rows), once per statement.
CREATE FUNCTION mentor_search_skills_linked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM mentors_search_refresh(ARRAY(SELECT DISTINCT mentorprofile_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM mentors_search_refresh(ARRAY(SELECT DISTINCT mentorprofile_id FROM old_rows));
  ELSE
    PERFORM mentors_search_refresh(ARRAY(
      SELECT mentorprofile_id FROM old_rows UNION SELECT mentorprofile_id FROM new_rows));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER mentor_search_skills_inserted AFTER INSERT ON mentors_mentorprofile_skills
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mentor_search_skills_linked();
CREATE TRIGGER mentor_search_skills_deleted AFTER DELETE ON mentors_mentorprofile_skills
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mentor_search_skills_linked();
CREATE TRIGGER mentor_search_skills_updated AFTER UPDATE ON mentors_mentorprofile_skills
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mentor_search_skills_linked();

-- Offerings: only published titles are searchable, once per statement.
CREATE FUNCTION mentor_search_offerings_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM mentors_search_refresh(ARRAY(SELECT DISTINCT mentor_id FROM new_rows WHERE is_published));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM mentors_search_refresh(ARRAY(SELECT DISTINCT mentor_id FROM old_rows WHERE is_published));
  ELSE
    PERFORM mentors_search_refresh(ARRAY(
      SELECT unnest(ARRAY[o.mentor_id, n.mentor_id])
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.title, o.is_published, o.mentor_id) IS DISTINCT FROM (n.title, n.is_published, n.mentor_id)
        AND (o.is_published OR n.is_published)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER mentor_search_offerings_inserted AFTER INSERT ON mentoring_offering
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mentor_search_offerings_written();
CREATE TRIGGER mentor_search_offerings_deleted AFTER DELETE ON mentoring_offering
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mentor_search_offerings_written();
CREATE TRIGGER mentor_search_offerings_updated AFTER UPDATE ON mentoring_offering
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mentor_search_offerings_written();

-- Every mentor there is now.
UPDATE mentors_mentorprofile
SET search_document = mentor_search_document(id, user_id, headline, bio);
"""

DROP = """
DROP TRIGGER IF EXISTS mentor_search_offerings_updated ON mentoring_offering;
DROP TRIGGER IF EXISTS mentor_search_offerings_deleted ON mentoring_offering;
DROP TRIGGER IF EXISTS mentor_search_offerings_inserted ON mentoring_offering;
DROP TRIGGER IF EXISTS mentor_search_skills_updated ON mentors_mentorprofile_skills;
DROP TRIGGER IF EXISTS mentor_search_skills_deleted ON mentors_mentorprofile_skills;
DROP TRIGGER IF EXISTS mentor_search_skills_inserted ON mentors_mentorprofile_skills;
DROP TRIGGER IF EXISTS mentor_search_skill_renamed ON mentors_skill;
DROP TRIGGER IF EXISTS mentor_search_user_renamed ON accounts_user;
DROP TRIGGER IF EXISTS mentor_search_profile_updated ON mentors_mentorprofile;
DROP TRIGGER IF EXISTS mentor_search_profile_inserted ON mentors_mentorprofile;
DROP FUNCTION IF EXISTS mentor_search_offerings_written();
DROP FUNCTION IF EXISTS mentor_search_skills_linked();
DROP FUNCTION IF EXISTS mentor_search_skill_renamed();
DROP FUNCTION IF EXISTS mentor_search_user_renamed();
DROP FUNCTION IF EXISTS mentor_search_profile_written();
DROP FUNCTION IF EXISTS mentors_search_refresh(bigint[]);
DROP FUNCTION IF EXISTS mentor_search_document(bigint, bigint, text, text);
UPDATE mentors_mentorprofile SET search_document = NULL;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_known_devices"),
        ("mentors", "0009_mentor_search_document"),
        ("mentoring", "0007_offering_join_url_help"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
