def migrate(cr, version):
    """Mark which classes changed on the history lines written before the
    history recorded it for ABC, XYZ and the tier."""
    cr.execute(
        """
        UPDATE sputnik_client_class_history
           SET abc_changed = abc_old IS DISTINCT FROM abc_new,
               xyz_changed = xyz_old IS DISTINCT FROM xyz_new,
               tier_changed = tier_old_id IS DISTINCT FROM tier_new_id
        """
    )
