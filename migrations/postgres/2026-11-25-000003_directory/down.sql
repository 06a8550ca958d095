DROP TABLE support_lines;
DROP TABLE directory_listing_languages;
DROP TABLE directory_listing_audiences;
DROP TABLE directory_listings;
