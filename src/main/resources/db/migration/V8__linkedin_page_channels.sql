-- LinkedIn Pages are channels too. The check is replaced by the same list plus linkedin_page (no
-- row changes, so no table rewrite).
ALTER TABLE channels DROP CONSTRAINT channels_type_check;
ALTER TABLE channels ADD CONSTRAINT channels_type_check
    CHECK (type IN ('facebook_page', 'instagram_business', 'youtube_channel', 'tiktok_account', 'snapchat_profile',
                    'linkedin_page'));
