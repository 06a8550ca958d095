DROP TABLE placement_offers;
