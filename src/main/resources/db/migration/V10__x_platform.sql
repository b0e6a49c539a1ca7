-- X: the platform id is one letter, which the id pattern of version 1 (at least two characters)
-- refused; and an X account is a channel too. Both checks are replaced, no row changes, so no
-- table rewrite.
ALTER TABLE integrations DROP CONSTRAINT integrations_platform_check;
ALTER TABLE integrations ADD CONSTRAINT integrations_platform_check
    CHECK (platform ~ '^[a-z][a-z0-9_]{0,31}$');

ALTER TABLE channels DROP CONSTRAINT channels_type_check;
ALTER TABLE channels ADD CONSTRAINT channels_type_check
    CHECK (type IN ('facebook_page', 'instagram_business', 'youtube_channel', 'tiktok_account', 'snapchat_profile',
                    'linkedin_page', 'x_account'));
