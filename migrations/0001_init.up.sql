-- Students, the course catalogue, carts and enrollments.
-- courses.enrolled is kept in the same transactions as the enrollments it
-- counts, and a CHECK constraint makes MySQL itself refuse an oversold course.
-- A student's credit total is summed from the enrollments under the student
-- row's lock, so an admin change of a course's credits cannot leave it stale.

CREATE TABLE students (
  id            BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT,
  student_no    CHAR(10)         NOT NULL,
  name          VARCHAR(64)      NOT NULL,
  department    VARCHAR(64)      NOT NULL,
  max_credits   TINYINT UNSIGNED NOT NULL DEFAULT 18,
  password_hash VARCHAR(100)     NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_students_student_no (student_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- schedule holds the weekly slots as a JSON array,
-- [{"day":"MON","start":"09:00","end":"10:15"}], so one row is one search
-- document for the indexer. version increases on every change of the row.
CREATE TABLE courses (
  id         BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT,
  code       VARCHAR(32)      NOT NULL,
  title      VARCHAR(128)     NOT NULL,
  professor  VARCHAR(64)      NOT NULL,
  department VARCHAR(64)      NOT NULL,
  credits    TINYINT UNSIGNED NOT NULL,
  capacity   INT UNSIGNED     NOT NULL,
  enrolled   INT UNSIGNED     NOT NULL DEFAULT 0,
  schedule   VARCHAR(512)     NOT NULL,
  room       VARCHAR(64)      NOT NULL,
  version    BIGINT UNSIGNED  NOT NULL DEFAULT 1,
  updated_at DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_courses_code (code),
  KEY ix_courses_department (department),
  CONSTRAINT ck_courses_credits CHECK (credits BETWEEN 1 AND 6),
  CONSTRAINT ck_courses_capacity CHECK (capacity BETWEEN 1 AND 10000),
  CONSTRAINT ck_courses_seats CHECK (enrolled <= capacity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE enrollments (
  student_id  BIGINT UNSIGNED NOT NULL,
  course_id   BIGINT UNSIGNED NOT NULL,
  enrolled_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (student_id, course_id),
  KEY ix_enrollments_course (course_id),
  CONSTRAINT fk_enrollments_student FOREIGN KEY (student_id) REFERENCES students (id),
  CONSTRAINT fk_enrollments_course FOREIGN KEY (course_id) REFERENCES courses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE cart_items (
  student_id BIGINT UNSIGNED NOT NULL,
  course_id  BIGINT UNSIGNED NOT NULL,
  added_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (student_id, course_id),
  CONSTRAINT fk_cart_items_student FOREIGN KEY (student_id) REFERENCES students (id),
  CONSTRAINT fk_cart_items_course FOREIGN KEY (course_id) REFERENCES courses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
